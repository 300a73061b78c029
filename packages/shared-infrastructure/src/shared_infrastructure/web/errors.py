"""Every error answered as RFC 9457 problem details, and the handlers
that do it.

:func:`describe_error` maps any exception to a :class:`Problem` (pure);
the handlers and the session middleware's failed commit answer with
:func:`response_for_exception`. The same situation has the same problem
type in every context: a duplicate is ``conflict`` whether the domain saw
it or a unique constraint did. Answers never carry a stack trace, SQL, a
constraint name or the raw input that failed (it may be a password);
every 5xx is logged with the request id, driver text included.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as sa_exc
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
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
from shared_infrastructure.web.problem import (
    BAD_REQUEST,
    CONCURRENCY_CONFLICT,
    CONFLICT,
    INTERNAL_ERROR,
    NOT_FOUND,
    PRECONDITION_FAILED,
    PROBLEM_MEDIA_TYPE,
    SERVICE_UNAVAILABLE,
    VALIDATION_ERROR,
    FieldLocation,
    FieldProblem,
    Problem,
    problem_body,
    problem_type_for_status,
)
from shared_infrastructure.web.request_id import REQUEST_ID_HEADER, request_id_from_scope

logger = logging.getLogger("shared_infrastructure.web")

RETRY_AFTER_SECONDS = 5
GENERIC_MESSAGE = "an unexpected error occurred"
_LOCATIONS: dict[str, FieldLocation] = {
    "body": "body",
    "query": "query",
    "path": "path",
    "header": "header",
}

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


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def _http_error(error: StarletteHTTPException) -> Problem:
    kind = problem_type_for_status(error.status_code)
    detail = error.detail if isinstance(error.detail, str) else kind.title
    return Problem(
        kind, detail, headers=dict(error.headers or {}), status_override=error.status_code
    )


def _field_problem(item: Any) -> FieldProblem:
    loc = [str(part) for part in item.get("loc", ())]
    location = _LOCATIONS.get(loc[0]) if loc else None
    path = loc[1:] if location else loc
    # msg/type only: "input" and "ctx" may echo what was sent (secrets).
    return FieldProblem(
        field=".".join(path) or (location or "request"),
        detail=str(item.get("msg", "invalid value")),
        location=location,
        code=str(item.get("type", "invalid")),
    )


def _validation_error(error: RequestValidationError) -> Problem:
    items = list(error.errors())
    if any(item.get("type") == "json_invalid" for item in items):
        return Problem(BAD_REQUEST, "the body is not valid JSON")
    # dict: in order, once each (a path parameter shared by the endpoint and
    # a dependency is validated twice)
    problems = tuple(dict.fromkeys(_field_problem(item) for item in items))
    return Problem(VALIDATION_ERROR, "the request is invalid", problems)


def _integrity_conflict(error: IntegrityConflict) -> Problem:
    field = error.field or "request"
    message = {
        "unique": f"{field} is already in use",
        "foreign_key": f"{field} refers to something that does not exist",
        "not_null": f"{field} is required",
        "check": f"{field} breaks a rule of the data",
    }.get(error.kind, "the write conflicts with the stored data")
    code = {"unique": "duplicate", "foreign_key": "unknown_reference"}.get(error.kind, error.kind)
    return Problem(CONFLICT, message, (FieldProblem(field, message, None, code),))


def _field_of(error: DomainError) -> str | None:
    value = error.context.get("field")
    return str(value) if value else None


def _domain_error(error: DomainError) -> Problem:
    if isinstance(error, VersionMismatch):
        return Problem(PRECONDITION_FAILED, error.message)
    if isinstance(error, ConcurrencyConflict):
        return Problem(CONCURRENCY_CONFLICT, error.message)
    if isinstance(error, IntegrityConflict):
        return _integrity_conflict(error)
    field = _field_of(error)
    if isinstance(error, NotFound):
        return Problem(NOT_FOUND, error.message)
    if isinstance(error, Conflict):
        fields = (FieldProblem(field, error.message, None, "conflict"),) if field else ()
        return Problem(CONFLICT, error.message, fields)
    if isinstance(error, DomainRuleViolation):
        problem = FieldProblem(field or "request", error.message, None, "rule_violation")
        return Problem(VALIDATION_ERROR, error.message, (problem,))
    return Problem(BAD_REQUEST, error.message)


def _unavailable(message: str) -> Problem:
    return Problem(SERVICE_UNAVAILABLE, message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


_UNDEFINED_TABLE_PG = "42P01"
_UNDEFINED_TABLE_MYSQL = 1146


def _schema_missing(error: BaseException) -> bool:
    """The database answers but holds no schema (never migrated, or a
    fresh empty file): the service cannot serve, a 503, not a bug."""
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        if candidate is None:
            continue
        if getattr(candidate, "sqlstate", None) == _UNDEFINED_TABLE_PG:
            return True
        args = getattr(candidate, "args", ())
        if args and args[0] == _UNDEFINED_TABLE_MYSQL:
            return True
        if getattr(candidate, "sqlite_errorname", None) == "SQLITE_ERROR" and str(
            candidate
        ).startswith("no such table"):
            return True
    return False


def describe_error(error: BaseException) -> Problem:
    """Map any exception to the problem it answers with (pure)."""
    if isinstance(error, StarletteHTTPException):
        return _http_error(error)
    if isinstance(error, RequestValidationError):
        return _validation_error(error)
    if isinstance(error, DomainError):
        return _domain_error(error)
    if isinstance(error, InvalidQuery):
        field = FieldProblem(error.field or "query", error.message, "query", "invalid_query")
        return Problem(VALIDATION_ERROR, error.message, (field,))
    if isinstance(error, DatabaseUnavailable):
        return _unavailable(error.message)
    if isinstance(error, DatabaseError) and _schema_missing(error.original or error):
        return _unavailable("the database is not ready (its schema is missing)")
    if isinstance(error, sa_exc.SQLAlchemyError | ConnectionError):
        if _schema_missing(error):
            return _unavailable("the database is not ready (its schema is missing)")
        translated = translate_error(error, metadata=Base.metadata)
        if translated is not error:
            return describe_error(translated)
    return Problem(INTERNAL_ERROR, GENERIC_MESSAGE)


def problem_response(
    problem: Problem, *, instance: str | None = None, request_id: str | None = None
) -> ProblemResponse:
    headers = dict(problem.headers)
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    body = problem_body(problem, instance=instance, request_id=request_id)
    return ProblemResponse(body, status_code=problem.status, headers=headers)


def _log(problem: Problem, error: BaseException, request_id: str | None) -> None:
    if problem.status == 503:
        logger.warning(
            "503 %s (request_id=%s): %s", problem.type.slug, request_id, error, exc_info=error
        )
    elif problem.status >= 500:
        logger.error(
            "%s %s (request_id=%s)", problem.status, problem.type.slug, request_id, exc_info=error
        )


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some route of the app accepts on the scope's path
    (Starlette's 405 names only the first route that matched the path).
    Each method is asked of the routes through ``matches``, the one API
    every route (included routers too) answers."""
    router = getattr(scope.get("app"), "router", None)
    routes = list(getattr(router, "routes", ()))
    methods = {
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def response_for_exception(error: BaseException, scope: Scope) -> ProblemResponse:
    """The problem response for ``error`` raised while serving ``scope``, logged."""
    problem = describe_error(error)
    if problem.status == 405:
        methods = allowed_methods(scope)
        if methods:
            problem = Problem(
                problem.type,
                problem.detail,
                headers={**problem.headers, "Allow": ", ".join(methods)},
                status_override=405,
            )
    request_id = request_id_from_scope(scope)
    _log(problem, error, request_id)
    path = scope.get("path")
    return problem_response(
        problem, instance=path if isinstance(path, str) else None, request_id=request_id
    )


async def handle_exception(request: Request, exc: Exception) -> Response:
    return response_for_exception(exc, request.scope)


def install_exception_handlers(app: Starlette) -> None:
    """Route every error of the app through :func:`describe_error`."""
    for error_class in HANDLED:
        app.add_exception_handler(error_class, handle_exception)
