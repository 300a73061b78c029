"""RFC 9457 problem details: the one error body of every HTTP answer >= 400.

``{"type", "title", "status", "detail", "instance", "request_id"}`` and,
for field-level problems, ``errors: [{"location", "field", "detail",
"code"}]``. ``type`` identifies the situation (``/problems/not-found``) and
is the same in every context; ``title`` is the type's fixed summary;
``detail`` says what happened this time, without the raw input (it may be
a secret) and without constraint names, SQL or stack traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "/problems/"

FieldLocation = Literal["body", "query", "path", "header"]


@dataclass(frozen=True)
class ProblemType:
    """A situation a client can act on: its slug, title and usual status."""

    slug: str
    title: str
    status: int

    @property
    def uri(self) -> str:
        return PROBLEM_TYPE_PREFIX + self.slug


BAD_REQUEST = ProblemType("bad-request", "The request is malformed", 400)
NOT_FOUND = ProblemType("not-found", "The resource does not exist", 404)
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", "The method is not allowed here", 405)
NOT_ACCEPTABLE = ProblemType("not-acceptable", "No acceptable representation", 406)
CONFLICT = ProblemType("conflict", "The request conflicts with the current state", 409)
CONCURRENCY_CONFLICT = ProblemType(
    "concurrency-conflict", "A concurrent change won; read again and retry", 409
)
PRECONDITION_FAILED = ProblemType(
    "precondition-failed", "The resource changed since you read it", 412
)
CONTENT_TOO_LARGE = ProblemType("content-too-large", "The request body is too large", 413)
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", "The request body must be JSON", 415)
VALIDATION_ERROR = ProblemType("validation-error", "The request is invalid", 422)
INTERNAL_ERROR = ProblemType("internal-error", "An unexpected error occurred", 500)
SERVICE_UNAVAILABLE = ProblemType(
    "service-unavailable", "The service is temporarily unavailable; retry later", 503
)

PROBLEM_TYPES: tuple[ProblemType, ...] = (
    BAD_REQUEST,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    CONFLICT,
    CONCURRENCY_CONFLICT,
    PRECONDITION_FAILED,
    CONTENT_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    VALIDATION_ERROR,
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
)


def problem_type_for_status(status: int) -> ProblemType:
    """The type of an HTTP error raised without one (e.g. a 405 from routing)."""
    for candidate in PROBLEM_TYPES:
        if candidate.status == status and candidate is not CONCURRENCY_CONFLICT:
            return candidate
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "HTTP error"
    slug = "-".join(phrase.lower().replace("'", "").split())
    return ProblemType(slug, phrase, status)


@dataclass(frozen=True)
class FieldProblem:
    """One invalid input: where it was, which field, what is wrong."""

    field: str
    detail: str
    location: FieldLocation | None = None
    code: str = "invalid"

    def to_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "field": self.field,
            "detail": self.detail,
            "code": self.code,
        }


@dataclass(frozen=True)
class Problem:
    """What an error response says (pure data; see :func:`problem_body`)."""

    type: ProblemType
    detail: str
    errors: tuple[FieldProblem, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    status_override: int | None = None

    @property
    def status(self) -> int:
        return self.status_override or self.type.status


def problem_body(
    problem: Problem, *, instance: str | None, request_id: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem.type.uri,
        "title": problem.type.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
        "request_id": request_id,
    }
    if problem.errors or problem.type is VALIDATION_ERROR:
        body["errors"] = [error.to_json() for error in problem.errors]
    return body


# -- OpenAPI -------------------------------------------------------------------


class FieldErrorSchema(BaseModel):
    """One invalid input of a 422 answer."""

    location: FieldLocation | None = Field(
        description="Where the value was sent; null when the rule spans the request"
    )
    field: str = Field(description="Dotted name of the field, e.g. `price.amount`")
    detail: str = Field(description="What is wrong, without echoing the value")
    code: str = Field(description="Stable machine-readable reason, e.g. `string_too_long`")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, the body of every error answer."""

    type: str = Field(description="URI reference naming the situation, e.g. `/problems/not-found`")
    title: str = Field(description="Fixed summary of the type")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What happened this time")
    instance: str | None = Field(description="The path of the request")
    request_id: str | None = Field(description="Also in the `X-Request-ID` header and the logs")
    errors: list[FieldErrorSchema] | None = Field(
        default=None, description="Field-level problems (always present on 422)"
    )


_EXAMPLE_DETAILS: dict[int, tuple[ProblemType, str]] = {
    400: (BAD_REQUEST, "the body is not valid JSON"),
    404: (NOT_FOUND, "no such resource"),
    405: (METHOD_NOT_ALLOWED, "Method Not Allowed"),
    409: (CONFLICT, "the value is already in use"),
    412: (PRECONDITION_FAILED, "expected version 3, the current version differs"),
    413: (CONTENT_TOO_LARGE, "the body is larger than 1048576 bytes"),
    415: (UNSUPPORTED_MEDIA_TYPE, "send the body as application/json"),
    422: (VALIDATION_ERROR, "the request is invalid"),
    500: (INTERNAL_ERROR, "an unexpected error occurred"),
    503: (SERVICE_UNAVAILABLE, "the database is unavailable"),
}


def problem_example(status: int, detail: str | None = None) -> dict[str, Any]:
    kind, default_detail = _EXAMPLE_DETAILS.get(
        status, (problem_type_for_status(status), HTTPStatus(status).phrase)
    )
    errors = (
        (FieldProblem("name", "String should have at most 200 characters", "body", "too_long"),)
        if status == 422
        else ()
    )
    problem = Problem(kind, detail or default_detail, errors=errors)
    return problem_body(problem, instance="/products/42", request_id="3f2a9c0d5e6b4a18")


def problem_response(status: int, description: str) -> dict[str, Any]:
    """One OpenAPI ``responses`` entry answering with problem details."""
    return {
        "description": description,
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/ProblemDetails"},
                "example": problem_example(status),
            }
        },
    }
