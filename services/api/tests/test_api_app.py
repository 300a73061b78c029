"""The assembled app over ASGI: routers and tags, lifespan, health, and one
JSON error shape for every error (no stack trace or SQL ever leaves)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL

from api.app import create_app
from api.contexts import CONTEXTS
from shared_infrastructure.config.settings import Environment, Settings, load_settings
from shared_infrastructure.database.database import AsyncDatabase

SECRET = "SELECT secret_column FROM hidden_table"
UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:1/nowhere"

ServeApp = Any
ProductJson = Callable[..., dict[str, Any]]


def assert_error_shape(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    """RFC 9457 problem details: type, title, status, detail, instance, request_id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    members = {"type", "title", "status", "detail", "instance", "request_id"}
    assert members <= set(problem) <= members | {"errors"}
    assert problem["type"] == f"/problems/{error_type}"
    assert problem["status"] == status
    assert problem["instance"] == response.request.url.path
    assert problem["request_id"] == response.headers["x-request-id"]
    for leak in ("Traceback", 'File "', "INSERT ", "SELECT ", "sqlalchemy"):
        assert leak not in response.text
    return dict(problem)


def test_creating_the_app_opens_nothing(db_settings: Settings) -> None:
    app = create_app(db_settings)
    assert app.state.composition is None


def test_every_context_is_mounted_with_a_described_tag(db_settings: Settings) -> None:
    schema = create_app(db_settings).openapi()

    tags = {tag["name"]: tag.get("description", "") for tag in schema["tags"]}
    for context in CONTEXTS:
        assert tags[context.tag]
    assert {"/health", "/health/database", "/products", "/events"} <= set(schema["paths"])
    used = {tag for path in schema["paths"].values() for op in path.values() for tag in op["tags"]}
    assert {context.tag for context in CONTEXTS} <= used


async def test_the_lifespan_opens_and_disposes_the_database(
    db_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    disposed: list[AsyncDatabase] = []
    original = AsyncDatabase.dispose

    async def spy(self: AsyncDatabase) -> None:
        disposed.append(self)
        await original(self)

    monkeypatch.setattr(AsyncDatabase, "dispose", spy)
    app = create_app(db_settings)

    async with app.router.lifespan_context(app):
        database = app.state.composition.database
        assert set(app.state.composition.services) == {context.name for context in CONTEXTS}

    assert disposed == [database]
    assert app.state.composition is None


async def test_a_given_database_is_left_to_its_owner(
    db_settings: Settings, committing_database: AsyncDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    disposed: list[AsyncDatabase] = []
    monkeypatch.setattr(AsyncDatabase, "dispose", lambda self: disposed.append(self))
    app = create_app(db_settings, database=committing_database)

    async with app.router.lifespan_context(app):
        assert app.state.composition.database is committing_database

    assert disposed == []


async def test_a_request_before_the_lifespan_gets_the_error_shape(db_settings: Settings) -> None:
    app = create_app(db_settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/products")
    assert_error_shape(response, 500, "internal-error")


async def test_health_endpoints(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        process = await client.get("/health")
        database = await client.get("/health/database")

    assert process.status_code == 200
    assert process.json()["status"] == "ok"
    assert database.status_code == 200
    body = database.json()
    assert body["status"] == "healthy"
    assert body["latency_ms"] >= 0
    assert body["database"]["pool_size"] == 5
    assert set(body["database"]["connections"]) >= {"active", "idle"}


async def test_not_found_has_the_error_shape(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        missing = await client.get("/products/00000000-0000-0000-0000-000000000000")
        no_route = await client.get("/no/such/route")
        no_event = await client.get("/events/ev_missing")

    assert_error_shape(missing, 404, "not-found")
    assert_error_shape(no_route, 404, "not-found")
    assert_error_shape(no_event, 404, "not-found")


async def test_conflict_names_the_field(serve_app: ServeApp, product_json: ProductJson) -> None:
    async with serve_app() as (_, client):
        assert (await client.post("/products", json=product_json("PROD100"))).status_code == 201
        duplicate = await client.post("/products", json=product_json("PROD100"))

    error = assert_error_shape(duplicate, 409, "conflict")
    assert [item["field"] for item in error["errors"]] == ["code"]


async def test_a_stale_if_match_is_a_precondition_failure(
    serve_app: ServeApp, product_json: ProductJson
) -> None:
    async with serve_app() as (_, client):
        created = await client.post("/products", json=product_json("PROD101"))
        url = created.headers["location"]
        assert created.headers["etag"] == '"1"'
        renamed = await client.patch(url, json={"name": "Renamed"}, headers={"If-Match": '"1"'})
        stale = await client.patch(url, json={"name": "Again"}, headers={"If-Match": '"1"'})
        current = await client.get(url)

    assert renamed.status_code == 200
    assert_error_shape(stale, 412, "precondition-failed")
    assert current.json()["name"] == "Renamed"


async def test_invalid_input_lists_the_offending_fields(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        response = await client.post("/products", json={"code": "PROD102", "price": {}})
        bad_event = await client.post(
            "/events",
            json={
                "title": "Late",
                "starts_at": "2030-01-02T10:00:00+00:00",
                "ends_at": "2030-01-01T10:00:00+00:00",
                "capacity": 10,
            },
        )

    error = assert_error_shape(response, 422, "validation-error")
    locations = {(item["location"], item["field"]) for item in error["errors"]}
    assert ("body", "name") in locations
    assert ("body", "price.amount") in locations
    event_error = assert_error_shape(bad_event, 422, "validation-error")
    assert [item["field"] for item in event_error["errors"]] == ["ends_at"]


async def test_a_crash_is_a_logged_500_without_details(
    serve_app: ServeApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with serve_app() as (_, client):
        response = await client.get("/probe/crash", headers={"X-Request-ID": "trace-me-42"})

    error = assert_error_shape(response, 500, "internal-error")
    assert error["request_id"] == "trace-me-42"
    assert SECRET not in response.text
    logged = [record for record in caplog.records if "trace-me-42" in record.getMessage()]
    assert logged, "every 5xx is logged with its request id"
    assert logged[0].exc_info is not None  # the stack trace goes to the log only


async def test_an_unreachable_database_is_a_503(serve_app: ServeApp) -> None:
    down = load_settings(
        database_url=UNREACHABLE, environment=Environment.TESTING, database_pool_timeout=2
    )
    async with serve_app(down) as (_, client):
        health = await client.get("/health/database")
        listing = await client.get("/products")
        alive = await client.get("/health")

    assert health.status_code == 503
    assert health.json()["status"] == "unhealthy"
    assert health.json()["reason"] == "unreachable"
    assert "127.0.0.1" not in health.text
    error = assert_error_shape(listing, 503, "service-unavailable")
    assert "nobody" not in listing.text
    assert "127.0.0.1" not in listing.text
    assert error["detail"]
    assert listing.headers["retry-after"]
    assert alive.status_code == 200


async def test_a_request_id_is_made_up_when_missing_and_kept_when_sane(
    serve_app: ServeApp,
) -> None:
    async with serve_app() as (_, client):
        made = await client.get("/health")
        kept = await client.get("/health", headers={"X-Request-ID": "abc-123"})
        replaced = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})

    assert made.headers["x-request-id"]
    assert kept.headers["x-request-id"] == "abc-123"
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


def test_an_app_factory_without_arguments_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, db_settings: Settings
) -> None:
    from api.app import create_app_from_environment

    monkeypatch.setenv("DATABASE_URL", db_settings.url.render_as_string(hide_password=False))
    app = create_app_from_environment()
    assert isinstance(app, FastAPI)
    assert app.state.settings.url == db_settings.url


async def test_starting_on_an_unmigrated_database_says_so(
    fresh_database: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(
        database_url=fresh_database.render_as_string(hide_password=False),
        environment=Environment.TESTING,
    )
    app = create_app(settings)
    with caplog.at_level(logging.WARNING, logger="api"):
        async with app.router.lifespan_context(app):
            pass
    assert any("api migrate upgrade" in record.getMessage() for record in caplog.records)


async def test_starting_without_a_database_serves_anyway(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(database_url=UNREACHABLE, environment=Environment.TESTING)
    app = create_app(settings)
    with caplog.at_level(logging.WARNING, logger="api"):
        async with app.router.lifespan_context(app):
            assert app.state.composition is not None
    assert any("not reachable" in record.getMessage() for record in caplog.records)


async def test_a_database_without_its_schema_is_a_503(fresh_database: URL) -> None:
    """Never migrated (or an empty file where the database should be): the
    service cannot serve until `api migrate upgrade` runs; not a bug."""
    url = fresh_database.render_as_string(hide_password=False)
    settings = load_settings(database_url=url, environment=Environment.TESTING)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            products = await client.get("/products")
            events = await client.get("/events")

    for response in (products, events):
        problem = assert_error_shape(response, 503, "service-unavailable")
        assert "schema" in problem["detail"]
        assert response.headers["retry-after"].isdigit()
