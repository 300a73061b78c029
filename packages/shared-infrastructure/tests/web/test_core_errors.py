"""RFC 9457 problem details for every error, mapped to the right status,
with the request id, and without stack traces, SQL, constraint names or
echoed secrets."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel as Schema
from sqlalchemy import String, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Mapped, mapped_column
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import (
    DatabaseUnavailable,
    IntegrityConflict,
    SerializationConflict,
)
from shared_infrastructure.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainRuleViolation,
    NotFound,
    VersionMismatch,
)
from shared_infrastructure.domain.query import InvalidQuery
from shared_infrastructure.testing.plugin import DatabaseFactory
from shared_infrastructure.web.dependencies import DbSession
from shared_infrastructure.web.errors import describe_error, install_exception_handlers
from shared_infrastructure.web.middleware import DatabaseSessionMiddleware
from shared_infrastructure.web.request_id import RequestIdMiddleware
from shared_infrastructure.web.unhandled import UnhandledErrorMiddleware

RAISED: dict[str, Exception] = {
    "not-found": NotFound("Product", "PROD001"),
    "version": VersionMismatch("Product", "PROD001", 3),
    "stale": ConcurrencyConflict("Product", "PROD001"),
    "race": SerializationConflict(entity="Product", identifier="PROD001"),
    "conflict": Conflict("code already taken", field="code"),
    "rule": DomainRuleViolation("price must not be negative", field="price"),
    "query": InvalidQuery("unknown field 'secret'", field="secret"),
    "unavailable": DatabaseUnavailable("the database is unavailable"),
    "operational": sa_exc.OperationalError(
        "SELECT secret_column FROM t", {"p": "hunter2"}, ConnectionResetError("reset")
    ),
    "bug": RuntimeError("Traceback-worthy secret: SELECT * FROM users"),
    "teapot": HTTPException(418, "short and stout"),
}
EXPECTED = {
    "not-found": (404, "not-found"),
    "version": (412, "precondition-failed"),
    "stale": (409, "concurrency-conflict"),
    "race": (409, "concurrency-conflict"),
    "conflict": (409, "conflict"),
    "rule": (422, "validation-error"),
    "query": (422, "validation-error"),
    "unavailable": (503, "service-unavailable"),
    "operational": (503, "service-unavailable"),
    "bug": (500, "internal-error"),
    "teapot": (418, "im-a-teapot"),
}


class CoreErrItem(Base):
    __tablename__ = "core_err_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)


class Signup(Schema):
    email: str
    password: str
    age: int


def build_app(database: AsyncDatabase | None = None) -> FastAPI:
    app = FastAPI()
    if database is not None:
        app.add_middleware(DatabaseSessionMiddleware, database=database)
    app.add_middleware(RequestIdMiddleware)
    install_exception_handlers(app)

    @app.get("/raise/{name}")
    async def raise_named(name: str) -> None:
        raise RAISED[name]

    @app.post("/signup")
    async def signup(body: Signup) -> dict[str, str]:
        return {"email": body.email}

    @app.post("/items/{code}")
    async def create(code: str, session: DbSession) -> dict[str, str]:
        session.add(CoreErrItem(code=code))
        await session.flush()  # a raw IntegrityError, not translated by the endpoint
        return {"code": code}

    @app.get("/items")
    async def count(session: DbSession) -> int:
        return len(list(await session.scalars(select(CoreErrItem.id))))

    return app


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def assert_error_shape(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    members = {"type", "title", "status", "detail", "instance", "request_id"}
    assert members <= set(problem) <= members | {"errors"}
    assert problem["type"] == f"/problems/{error_type}"
    assert problem["status"] == status
    assert problem["title"]
    assert problem["instance"] == response.request.url.path
    assert problem["request_id"] == response.headers["x-request-id"]
    if status == 422:
        assert isinstance(problem["errors"], list)
    assert "Traceback" not in response.text
    assert "SELECT" not in response.text
    return dict(problem)


def fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem.get("errors", [])]


@pytest.mark.parametrize("name", sorted(RAISED))
async def test_every_error_gets_its_status_and_the_one_shape(name: str) -> None:
    async with client_for(build_app()) as client:
        response = await client.get(f"/raise/{name}")
    status, error_type = EXPECTED[name]
    assert_error_shape(response, status, error_type)


async def test_field_problems_name_the_field_in_one_list() -> None:
    async with client_for(build_app()) as client:
        rule = (await client.get("/raise/rule")).json()
        conflict = (await client.get("/raise/conflict")).json()
        query = (await client.get("/raise/query")).json()
        missing = (await client.get("/raise/not-found")).json()
        version = (await client.get("/raise/version")).json()
    assert rule["errors"] == [
        {
            "location": None,
            "field": "price",
            "detail": "price must not be negative",
            "code": "rule_violation",
        }
    ]
    assert fields(conflict) == ["code"]
    assert query["errors"][0]["location"] == "query"
    assert fields(query) == ["secret"]
    assert "errors" not in missing
    assert missing["detail"] == "Product 'PROD001' not found"
    assert "expected version 3" in version["detail"]


async def test_503_carries_retry_after() -> None:
    async with client_for(build_app()) as client:
        for name in ("unavailable", "operational"):
            response = await client.get(f"/raise/{name}")
            assert response.headers["retry-after"].isdigit()
            assert "hunter2" not in response.text


async def test_validation_errors_list_fields_without_echoing_input() -> None:
    payload = {"email": "a@example.com", "password": "hunter2-secret", "age": "old"}
    async with client_for(build_app()) as client:
        response = await client.post("/signup", json=payload)
    problem = assert_error_shape(response, 422, "validation-error")
    assert [(e["location"], e["field"], e["code"]) for e in problem["errors"]] == [
        ("body", "age", "int_parsing")
    ]
    assert problem["errors"][0]["detail"]
    assert "hunter2" not in response.text
    assert "old" not in response.text


async def test_malformed_json_is_a_400() -> None:
    async with client_for(build_app()) as client:
        response = await client.post(
            "/signup", content=b'{"email": ', headers={"content-type": "application/json"}
        )
    problem = assert_error_shape(response, 400, "bad-request")
    assert problem["detail"] == "the body is not valid JSON"


async def test_http_exceptions_keep_status_and_headers() -> None:
    async with client_for(build_app()) as client:
        missing = await client.get("/no/such/route")
        not_allowed = await client.delete("/signup")
    assert_error_shape(missing, 404, "not-found")
    assert_error_shape(not_allowed, 405, "method-not-allowed")
    assert not_allowed.headers["allow"] == "POST"


async def test_405_allows_every_method_of_every_route_on_the_path() -> None:
    app = build_app()

    @app.get("/signup")
    async def signup_form() -> dict[str, str]:
        return {}

    async with client_for(app) as client:
        response = await client.put("/signup")
    assert_error_shape(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_unexpected_errors_are_logged_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="shared_infrastructure.web"):
        async with client_for(build_app()) as client:
            response = await client.get("/raise/bug", headers={"X-Request-ID": "req-42"})
    assert response.json()["detail"] == "an unexpected error occurred"
    assert response.json()["request_id"] == "req-42"
    records = [r for r in caplog.records if r.name == "shared_infrastructure.web"]
    assert any("req-42" in r.getMessage() and r.exc_info for r in records)


async def test_raw_integrity_errors_become_a_conflict_naming_the_field_not_the_constraint(
    committing_database: AsyncDatabase,
) -> None:
    async with client_for(build_app(committing_database)) as client:
        assert (await client.post("/items/X")).status_code == 200
        response = await client.post("/items/X")
        count = (await client.get("/items")).json()
    problem = assert_error_shape(response, 409, "conflict")
    assert problem["detail"] == "code is already in use"
    assert problem["errors"] == [
        {"location": None, "field": "code", "detail": "code is already in use", "code": "duplicate"}
    ]
    assert "uq_core_err_items_code" not in response.text
    assert count == 1


async def test_an_exhausted_pool_is_a_503(database_factory: DatabaseFactory) -> None:
    tiny = database_factory(
        database_pool_size=1, database_max_overflow=0, database_pool_timeout=0.2
    )
    async with client_for(build_app(tiny)) as client, tiny.engine.connect() as held:
        assert held is not None
        response = await client.get("/items")
    assert_error_shape(response, 503, "service-unavailable")
    assert "retry-after" in response.headers


def test_describe_error_is_pure_and_ordered() -> None:
    integrity = IntegrityConflict("duplicate", constraint="uq_t_code", table="t", columns=("code",))
    assert describe_error(integrity).status == 409
    assert describe_error(VersionMismatch("A", 1, 2)).status == 412  # before 409
    assert describe_error(ValueError("x")).status == 500
    assert describe_error(ConnectionRefusedError()).status == 503


def test_a_lost_race_names_the_aggregate_and_claims_no_more_than_is_known() -> None:
    named = SerializationConflict(entity="Product", identifier="PROD001")
    assert named.message == "Product 'PROD001' lost a race with a concurrent transaction; retry"
    assert SerializationConflict().message.startswith("the transaction lost a race")


async def test_a_bug_stops_at_the_unhandled_error_middleware_so_the_connection_survives() -> None:
    """Starlette re-raises an unhandled exception to the server after its
    500, and the server then closes the kept-alive connection; behind
    ``UnhandledErrorMiddleware`` the server sees a finished exchange."""
    app = build_app()
    app.user_middleware.append(Middleware(UnhandledErrorMiddleware))  # inside the request id
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        first = await client.get("/raise/bug")
        second = await client.post("/signup", json={"email": "a", "password": "b", "age": 1})
    assert_error_shape(first, 500, "internal-error")
    assert second.status_code == 200


async def test_without_it_the_exception_reaches_the_server() -> None:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with pytest.raises(RuntimeError):
            await client.get("/raise/bug")
