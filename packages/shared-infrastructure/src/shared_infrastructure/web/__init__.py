"""Web adapters (FastAPI / pure ASGI): the request-scoped session
middleware, request ids, one JSON error shape, dependencies and health.

Typical wiring (outermost middleware added last)::

    app.add_middleware(DatabaseSessionMiddleware, database=lambda: app.state.database)
    app.add_middleware(RequestIdMiddleware)
    install_exception_handlers(app)
    app.include_router(create_health_router(lambda: app.state.database))
"""

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
