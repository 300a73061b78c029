"""``check_database_health`` / ``get_database_info``: a healthy
report on the real database, an unhealthy one (never an exception) for an
unreachable or hanging server, and the pool figures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.health import (
    check_database_health,
    check_database_health_sync,
    get_database_info,
    get_database_info_sync,
)

PRODUCTS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}
UNREACHABLE = [
    "postgresql+asyncpg://app:s3cret-pw@127.0.0.1:1/app",
    "postgresql+psycopg://app:s3cret-pw@127.0.0.1:1/app",
    "mysql+aiomysql://app:s3cret-pw@127.0.0.1:1/app",
]


def _assert_report_shape(report: dict[str, object]) -> None:
    assert set(report) == {"healthy", "latency_ms", "timestamp", "error"}
    assert isinstance(report["latency_ms"], float)
    timestamp = report["timestamp"]
    assert isinstance(timestamp, datetime)
    assert timestamp.tzinfo is not None


async def test_healthy_database(async_engine: AsyncEngine) -> None:
    report = await check_database_health(async_engine)
    _assert_report_shape(report)
    assert report["healthy"] is True
    assert report["error"] is None


async def test_healthy_through_an_async_database(committing_database: AsyncDatabase) -> None:
    report = await check_database_health(committing_database)
    assert report["healthy"] is True


async def test_defaults_to_the_default_database(
    committing_defaults: tuple[AsyncDatabase, Database],
) -> None:
    assert (await check_database_health())["healthy"] is True
    assert check_database_health_sync()["healthy"] is True
    assert (await get_database_info())["error"] is None


@pytest.mark.parametrize("url", UNREACHABLE)
async def test_unreachable_server_is_reported_not_raised(url: str) -> None:
    engine = create_async_engine(url)
    try:
        report = await check_database_health(engine, time_limit=5)
    finally:
        await engine.dispose()
    _assert_report_shape(report)
    assert report["healthy"] is False
    error = str(report["error"])
    assert error
    assert "s3cret-pw" not in error
    assert "SELECT" not in error


async def test_unopenable_sqlite_file_is_reported(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")
    try:
        report = await check_database_health(engine)
    finally:
        await engine.dispose()
    assert report["healthy"] is False
    assert "unable to open" in str(report["error"])


@pytest_asyncio.fixture(loop_scope="session")
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    yield port
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_hanging_server_times_out_quickly(silent_server: int) -> None:
    engine = create_async_engine(f"postgresql+asyncpg://app@127.0.0.1:{silent_server}/app")
    try:
        report = await check_database_health(engine, time_limit=0.3)
        info = await get_database_info(engine, time_limit=0.3)
    finally:
        await engine.dispose()
    assert report["healthy"] is False
    assert "no answer within 0.3s" in str(report["error"])
    assert info["version"] is None
    assert "no answer" in str(info["error"])


def test_sync_health(sync_engine: Engine) -> None:
    report = check_database_health_sync(sync_engine)
    _assert_report_shape(report)
    assert report["healthy"] is True


def test_sync_health_of_an_unreachable_server() -> None:
    engine = create_engine("postgresql+psycopg://app:s3cret-pw@127.0.0.1:1/app")
    try:
        report = check_database_health_sync(engine)
    finally:
        engine.dispose()
    assert report["healthy"] is False
    assert "s3cret-pw" not in str(report["error"])


async def test_database_info_has_seed_002_shape(
    committing_database: AsyncDatabase, db_kind: str
) -> None:
    info = await get_database_info(committing_database)
    assert info["error"] is None
    assert str(info["version"]).startswith(PRODUCTS[db_kind] + " ")
    assert info["server_version"]
    assert info["dialect"] in ("sqlite", "postgresql", "mysql", "mariadb")
    assert info["pool_size"] == 5
    assert info["connections"]["active"] == 0
    assert info["connections"]["idle"] >= 1  # the probe's connection went back
    assert info["connections"]["overflow"] == 0


async def test_database_info_counts_checked_out_connections(
    committing_database: AsyncDatabase,
) -> None:
    async with committing_database.engine.connect() as _held:
        info = await get_database_info(committing_database)
    assert info["connections"]["active"] == 1


def test_sync_database_info(sync_engine: Engine, db_kind: str) -> None:
    info = get_database_info_sync(sync_engine)
    assert str(info["version"]).startswith(PRODUCTS[db_kind])
    assert "active" in info["connections"]
    assert "idle" in info["connections"]
