"""``create_health_router``: ``/health`` and ``/health/database`` (503 when
the database does not answer), for ``GET`` and ``HEAD``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.defaults import close_database, init_database
from shared_infrastructure.web.health import HealthProvider, create_health_router


def app_with(provider: HealthProvider | None) -> FastAPI:
    app = FastAPI()
    app.include_router(create_health_router(provider, time_limit=2))
    return app


async def get(app: FastAPI, path: str) -> httpx.Response:
    return await request(app, "GET", path)


async def request(app: FastAPI, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path)


@pytest_asyncio.fixture(loop_scope="session")
async def unreachable() -> AsyncIterator[AsyncDatabase]:
    database = AsyncDatabase(create_async_engine("postgresql+asyncpg://app:pw@127.0.0.1:1/app"))
    yield database
    await database.dispose()


async def test_process_health() -> None:
    response = await get(app_with(None), "/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["uptime_seconds"] >= 0


async def test_database_health_ok(committing_database: AsyncDatabase, db_kind: str) -> None:
    response = await get(app_with(committing_database), "/health/database")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["healthy"] is True
    assert body["reason"] is None
    assert "error" not in body
    assert body["latency_ms"] >= 0
    assert body["database"]["pool_size"] == 5
    assert body["database"]["version"]
    assert set(body["database"]["connections"]) >= {"active", "idle"}


async def test_database_health_503_with_a_reason_code_and_no_driver_text(
    unreachable: AsyncDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="shared_infrastructure.web"):
        response = await get(app_with(lambda: unreachable), "/health/database")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["healthy"] is False
    assert body["reason"] == "unreachable"
    assert "error" not in body
    assert "pw@" not in response.text
    assert "127.0.0.1" not in response.text
    assert any("health check failed" in record.getMessage() for record in caplog.records)
    assert response.headers["retry-after"].isdigit()


async def test_database_health_defaults_to_the_default_database(
    committing_database: AsyncDatabase,
) -> None:
    await init_database(committing_database)
    try:
        response = await get(app_with(None), "/health/database")
    finally:
        await close_database()
    assert response.status_code == 200


async def test_an_engine_works_as_provider(committing_database: AsyncDatabase) -> None:
    response = await get(app_with(committing_database.engine), "/health/database")
    assert response.json()["healthy"] is True


# -- HEAD: probes that do not want the body ---------------------------------------


async def test_head_process_health_is_200_without_a_body() -> None:
    response = await request(app_with(None), "HEAD", "/health")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"


async def test_head_database_health_is_200_without_a_body(
    committing_database: AsyncDatabase,
) -> None:
    app = app_with(committing_database)
    response = await request(app, "HEAD", "/health/database")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"


async def test_head_database_health_is_503_when_the_database_is_down(
    unreachable: AsyncDatabase,
) -> None:
    response = await request(app_with(lambda: unreachable), "HEAD", "/health/database")
    assert response.status_code == 503
    assert response.content == b""
    assert response.headers["retry-after"].isdigit()


async def test_head_is_documented_next_to_get() -> None:
    paths = app_with(None).openapi()["paths"]
    assert set(paths["/health"]) == {"get", "head"}
    assert set(paths["/health/database"]) == {"get", "head"}
