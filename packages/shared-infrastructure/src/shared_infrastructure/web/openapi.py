"""The app's OpenAPI document, honest about errors.

FastAPI documents a 422 of its own shape (``HTTPValidationError``) and no
other error. :func:`document_problems` rewrites the generated document so
that every operation lists what the service really answers: problem
details (:mod:`~shared_infrastructure.web.problem`) with an example for
each 4xx/5xx the operation can produce, plus the ones every operation
shares (400/413/415 for a body, 422 for input, 500, 503).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shared_infrastructure.web.problem import (
    FieldErrorSchema,
    ProblemDetails,
    problem_response,
)

_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
COMMON_DESCRIPTIONS = {
    400: "Malformed request: the body is not valid JSON, or a header is malformed",
    412: "If-Match names no current version of the resource",
    413: "The body is larger than the configured limit",
    415: "The body is not application/json",
    422: "Invalid input: one entry per field in `errors`",
    500: "An unexpected error (logged with the request id)",
    503: "The database is unavailable or not ready; retry after `Retry-After` seconds",
}


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    content = response.get("content", {})
    refs = [str(media.get("schema", {}).get("$ref", "")) for media in content.values()]
    return any(ref.endswith(name) for ref in refs for name in _FASTAPI_VALIDATION)


def _expected_statuses(path: str, operation: dict[str, Any]) -> set[int]:
    statuses = {500}
    if path != "/health":
        statuses.add(503)
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.update({400, 413, 415})
    if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
        statuses.update({400, 412})
    return statuses


def _document_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in _expected_statuses(path, operation):
        responses.setdefault(str(status), {"description": COMMON_DESCRIPTIONS[status]})
    for code, response in list(responses.items()):
        if not code.isdigit() or int(code) < 400:
            continue
        if "content" in response and not _is_fastapi_validation(response):
            continue  # the route documents its own body (e.g. a health report)
        description = response.get("description") or COMMON_DESCRIPTIONS.get(int(code), "Error")
        if description == "Validation Error":
            description = COMMON_DESCRIPTIONS[422]
        responses[code] = problem_response(int(code), description)


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a generated document in place (see module doc) and return it."""
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                _document_operation(path, item[method])
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    template = "#/components/schemas/{model}"
    schemas["FieldError"] = FieldErrorSchema.model_json_schema(ref_template=template)
    problem = ProblemDetails.model_json_schema(ref_template=template)
    definitions = problem.pop("$defs", {})
    problem["properties"]["errors"] = {
        "anyOf": [
            {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            {"type": "null"},
        ],
        "description": "Field-level problems (always present on 422)",
    }
    definitions.pop("FieldErrorSchema", None)
    schemas.update(definitions)
    schemas["ProblemDetails"] = problem
    return schema


def document_problems(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the rewritten document (built once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def partial_update_schema(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of a PATCH body whose fields are ``X | None =
    None`` only so that they can be left out: ``null`` is refused, so the
    document does not offer it, and at least one field must be given."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if options:
            kept = [option for option in options if option.get("type") != "null"]
            del prop["anyOf"]
            if len(kept) == 1:
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept
        if prop.get("default", ...) is None:
            del prop["default"]
    schema["minProperties"] = 1
