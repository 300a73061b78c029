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
