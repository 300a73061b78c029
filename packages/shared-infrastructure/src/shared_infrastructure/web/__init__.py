"""Web adapters (FastAPI / pure ASGI): the request-scoped session
middleware, request ids, one JSON error shape, dependencies and health.

Typical wiring (outermost middleware added last)::

    app.add_middleware(DatabaseSessionMiddleware, database=lambda: app.state.database)
    app.add_middleware(RequestIdMiddleware)
    install_exception_handlers(app)
    app.include_router(create_health_router(lambda: app.state.database))
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        ErrorInfo,
        describe_error,
        error_body,
        error_response,
        install_exception_handlers,
        response_for_exception,
    )
    from shared_infrastructure.web.health import create_health_router
    from shared_infrastructure.web.middleware import DatabaseSessionMiddleware, resolve_database
    from shared_infrastructure.web.request_id import (
        REQUEST_ID_HEADER,
        RequestIdMiddleware,
        get_request_id,
    )

# Exported name -> the submodule defining it. Loaded on first use (PEP 562),
# so importing one submodule (``request_id`` for a log filter, ``etag`` for a
# router) does not pull in the database adapters and SQLAlchemy with it.
_EXPORTS = {
    "AsyncDb": "dependencies",
    "CommittingSession": "dependencies",
    "DatabaseSessionMiddleware": "middleware",
    "DbSession": "dependencies",
    "ErrorInfo": "errors",
    "MissingSessionMiddleware": "dependencies",
    "REQUEST_ID_HEADER": "request_id",
    "RequestDatabase": "dependencies",
    "RequestIdMiddleware": "request_id",
    "SyncDb": "dependencies",
    "create_health_router": "health",
    "describe_error": "errors",
    "error_body": "errors",
    "error_response": "errors",
    "get_request_database": "dependencies",
    "get_request_id": "request_id",
    "get_request_session": "dependencies",
    "install_exception_handlers": "errors",
    "resolve_database": "middleware",
    "response_for_exception": "errors",
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
    "REQUEST_ID_HEADER",
    "AsyncDb",
    "CommittingSession",
    "DatabaseSessionMiddleware",
    "DbSession",
    "ErrorInfo",
    "MissingSessionMiddleware",
    "RequestDatabase",
    "RequestIdMiddleware",
    "SyncDb",
    "create_health_router",
    "describe_error",
    "error_body",
    "error_response",
    "get_request_database",
    "get_request_id",
    "get_request_session",
    "install_exception_handlers",
    "resolve_database",
    "response_for_exception",
]
