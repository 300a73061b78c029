"""Web adapters (FastAPI / pure ASGI): the request-scoped session
middleware, request ids, RFC 9457 problem details for every error, HTTP
semantics (HEAD, body limits, JSON only), dependencies and health.

Typical wiring (outermost middleware added last)::

    app.add_middleware(DatabaseSessionMiddleware, database=lambda: app.state.database)
    app.add_middleware(RequestBodyMiddleware, max_bytes=1024 * 1024)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestIdMiddleware)
    install_exception_handlers(app)
    document_problems(app)
    app.include_router(create_health_router(lambda: app.state.database))
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared_infrastructure.web.body import DEFAULT_MAX_BODY_BYTES, RequestBodyMiddleware
    from shared_infrastructure.web.dependencies import (
        AsyncDb,
        CommittingSession,
        DbSession,
        MissingSessionMiddleware,
        RequestDatabase,
        SyncDb,
        get_request_database,
        get_request_session,
    )
    from shared_infrastructure.web.errors import (
        ProblemResponse,
        describe_error,
        install_exception_handlers,
        problem_response,
        response_for_exception,
    )
    from shared_infrastructure.web.head import HeadMiddleware
    from shared_infrastructure.web.health import create_health_router
    from shared_infrastructure.web.middleware import DatabaseSessionMiddleware, resolve_database
    from shared_infrastructure.web.openapi import document_problems
    from shared_infrastructure.web.problem import (
        PROBLEM_MEDIA_TYPE,
        FieldProblem,
        Problem,
        ProblemDetails,
        ProblemType,
    )
    from shared_infrastructure.web.request_id import (
        REQUEST_ID_HEADER,
        RequestIdMiddleware,
        get_request_id,
    )
    from shared_infrastructure.web.unhandled import UnhandledErrorMiddleware

# Exported name -> the submodule defining it. Loaded on first use (PEP 562),
# so importing one submodule (``request_id`` for a log filter, ``etag`` for a
# router) does not pull in the database adapters and SQLAlchemy with it.
_EXPORTS = {
    "AsyncDb": "dependencies",
    "CommittingSession": "dependencies",
    "create_health_router": "health",
    "DatabaseSessionMiddleware": "middleware",
    "DbSession": "dependencies",
    "DEFAULT_MAX_BODY_BYTES": "body",
    "describe_error": "errors",
    "document_problems": "openapi",
    "FieldProblem": "problem",
    "get_request_database": "dependencies",
    "get_request_id": "request_id",
    "get_request_session": "dependencies",
    "HeadMiddleware": "head",
    "install_exception_handlers": "errors",
    "MissingSessionMiddleware": "dependencies",
    "Problem": "problem",
    "PROBLEM_MEDIA_TYPE": "problem",
    "problem_response": "errors",
    "ProblemDetails": "problem",
    "ProblemResponse": "errors",
    "ProblemType": "problem",
    "REQUEST_ID_HEADER": "request_id",
    "RequestBodyMiddleware": "body",
    "RequestDatabase": "dependencies",
    "RequestIdMiddleware": "request_id",
    "resolve_database": "middleware",
    "response_for_exception": "errors",
    "SyncDb": "dependencies",
    "UnhandledErrorMiddleware": "unhandled",
}


if not TYPE_CHECKING:  # mypy reads the imports above and still flags a typo

    def __getattr__(name: str) -> Any:
        try:
            module = _EXPORTS[name]
        except KeyError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "PROBLEM_MEDIA_TYPE",
    "REQUEST_ID_HEADER",
    "AsyncDb",
    "CommittingSession",
    "DatabaseSessionMiddleware",
    "DbSession",
    "FieldProblem",
    "HeadMiddleware",
    "MissingSessionMiddleware",
    "Problem",
    "ProblemDetails",
    "ProblemResponse",
    "ProblemType",
    "RequestBodyMiddleware",
    "RequestDatabase",
    "RequestIdMiddleware",
    "SyncDb",
    "UnhandledErrorMiddleware",
    "create_health_router",
    "describe_error",
    "document_problems",
    "get_request_database",
    "get_request_id",
    "get_request_session",
    "install_exception_handlers",
    "problem_response",
    "resolve_database",
    "response_for_exception",
]
