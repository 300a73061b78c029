"""One JSON error shape for every error, and the handlers that produce it.

``{"error": {"type", "message", "details", "request_id"}}``, whatever
failed: a domain rule, a constraint, a malformed request, an unreachable
database or a bug. Responses carry what the client can act on (the field,
the constraint) and never a stack trace, SQL, or the raw input that failed
validation (it may be a password). Every 5xx is logged with the request id.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as sa_exc
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.errors import (
    DatabaseError,
    DatabaseUnavailable,
    IntegrityConflict,
    translate_error,
)
from shared_infrastructure.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainError,
    DomainRuleViolation,
    NotFound,
    VersionMismatch,
)
from shared_infrastructure.domain.query import InvalidQuery
from shared_infrastructure.web.request_id import REQUEST_ID_HEADER, request_id_from_scope

logger = logging.getLogger("shared_infrastructure.web")

RETRY_AFTER_SECONDS = 5
GENERIC_MESSAGE = "an unexpected error occurred"

# Exception classes the handler is installed for (the last one catches the rest).
HANDLED = (
    StarletteHTTPException,
    RequestValidationError,
    DomainError,
    InvalidQuery,
    DatabaseError,
    sa_exc.SQLAlchemyError,
    ConnectionError,
    Exception,
)


@dataclass(frozen=True)
class ErrorInfo:
    """What a response says about one error."""

    status: int
    type: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return str(value)


def _context(error: DomainError) -> dict[str, Any]:
    return {key: _json_safe(value) for key, value in error.context.items() if value is not None}


def _status_type(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "http_error"
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")


def _http_error(error: StarletteHTTPException) -> ErrorInfo:
    details: dict[str, Any] = {}
    if isinstance(error.detail, str):
        message = error.detail
    else:
        message = _status_type(error.status_code).replace("_", " ")
        details = {"detail": _json_safe(error.detail)}
    return ErrorInfo(
        error.status_code,
        _status_type(error.status_code),
        message,
        details,
        dict(error.headers or {}),
    )


def _validation_error(error: RequestValidationError) -> ErrorInfo:
    # loc/msg/type only: "input" and "ctx" may echo what was sent (secrets).
    problems = [
        {
            "loc": [_json_safe(part) for part in item.get("loc", ())],
            "msg": str(item.get("msg", "")),
            "type": str(item.get("type", "")),
        }
        for item in error.errors()
    ]
    return ErrorInfo(422, "validation_error", "the request is invalid", {"errors": problems})


def _integrity_conflict(error: IntegrityConflict) -> ErrorInfo:
    details = {
        "constraint": error.constraint,
        "table": error.table,
        "field": error.field,
        "columns": list(error.columns),
        "kind": error.kind,
    }
    return ErrorInfo(409, "integrity_conflict", error.message, details)


def _unavailable(message: str) -> ErrorInfo:
    return ErrorInfo(
        503, "service_unavailable", message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def _domain_error(error: DomainError) -> ErrorInfo:
    if isinstance(error, VersionMismatch):
        return ErrorInfo(412, "precondition_failed", error.message, _context(error))
    if isinstance(error, ConcurrencyConflict):
        return ErrorInfo(409, "concurrency_conflict", error.message, _context(error))
    if isinstance(error, IntegrityConflict):
        return _integrity_conflict(error)
    if isinstance(error, NotFound):
        return ErrorInfo(404, "not_found", error.message, _context(error))
    if isinstance(error, Conflict):
        return ErrorInfo(409, "conflict", error.message, _context(error))
    if isinstance(error, DomainRuleViolation):
        return ErrorInfo(422, "rule_violation", error.message, _context(error))
    return ErrorInfo(400, "domain_error", error.message, _context(error))


def describe_error(error: BaseException) -> ErrorInfo:
    """Map any exception to status, type, message and details (pure)."""
    if isinstance(error, StarletteHTTPException):
        return _http_error(error)
    if isinstance(error, RequestValidationError):
        return _validation_error(error)
    if isinstance(error, DomainError):
        return _domain_error(error)
    if isinstance(error, InvalidQuery):
        details = {"field": error.field} if error.field else {}
        return ErrorInfo(422, "invalid_query", error.message, details)
    if isinstance(error, DatabaseUnavailable):
        return _unavailable(error.message)
    if isinstance(error, sa_exc.SQLAlchemyError | ConnectionError):
        translated = translate_error(error, metadata=Base.metadata)
        if translated is not error:
            return describe_error(translated)
    return ErrorInfo(500, "internal_error", GENERIC_MESSAGE)


def error_body(info: ErrorInfo, request_id: str | None) -> dict[str, Any]:
    return {
        "error": {
            "type": info.type,
            "message": info.message,
            "details": info.details,
            "request_id": request_id,
        }
    }


def error_response(info: ErrorInfo, request_id: str | None = None) -> JSONResponse:
    headers = dict(info.headers)
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(error_body(info, request_id), status_code=info.status, headers=headers)


def _log(info: ErrorInfo, error: BaseException, request_id: str | None) -> None:
    if info.status == 503:
        logger.warning("503 %s (request_id=%s): %s", info.type, request_id, error, exc_info=error)
    elif info.status >= 500:
        logger.error("%s %s (request_id=%s)", info.status, info.type, request_id, exc_info=error)


def response_for_exception(error: BaseException, scope: Scope) -> JSONResponse:
    """The error response for ``error`` raised while serving ``scope``, logged."""
    info = describe_error(error)
    request_id = request_id_from_scope(scope)
    _log(info, error, request_id)
    return error_response(info, request_id)


async def handle_exception(request: Request, exc: Exception) -> Response:
    return response_for_exception(exc, request.scope)


def install_exception_handlers(app: Starlette) -> None:
    """Route every error of the app through :func:`describe_error`."""
    for error_class in HANDLED:
        app.add_exception_handler(error_class, handle_exception)
