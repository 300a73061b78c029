"""Envelope responses for handlers that return results by hand:
``success(data=..., message=...)``, ``error(message, status_code, details)``
and ``error_from_exception(error)``.

Handlers that raise instead get the same status and body from the
exception handlers (:mod:`shared_infrastructure.web.errors`); these
helpers are for code that catches and returns.
"""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse

from shared_infrastructure.web.errors import describe_error


def success(data: Any = None, message: str = "OK", status_code: int = 200) -> JSONResponse:
    body = {"success": True, "message": message, "data": jsonable_encoder(data)}
    return JSONResponse(body, status_code=status_code)


def error(
    message: str, status_code: int = 400, details: dict[str, Any] | None = None
) -> JSONResponse:
    body = {"success": False, "message": message, "details": jsonable_encoder(details or {})}
    return JSONResponse(body, status_code=status_code)


def error_from_exception(exception: BaseException) -> JSONResponse:
    """The status and message the exception handlers would answer with."""
    problem = describe_error(exception)
    details: dict[str, Any] = {"type": problem.type.slug}
    if problem.errors:
        details["errors"] = [field.to_json() for field in problem.errors]
    return error(problem.detail, problem.status, details)
