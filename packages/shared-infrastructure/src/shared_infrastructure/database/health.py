"""Database health: is the server answering, how fast, and how
busy is the pool.

A health check is asked exactly when things go wrong, so it never raises
for an unreachable server: it reports ``healthy=False`` with the driver's
error (no SQL, no password), and a short timeout keeps a hanging server
from hanging the probe.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import Pool, QueuePool

from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import get_async_database, get_database

DEFAULT_TIMEOUT_SECONDS = 3.0

AsyncTarget = AsyncDatabase | AsyncEngine
SyncTarget = Database | Engine

_VERSION_QUERIES = {
    "postgresql": "SHOW server_version",
    "mysql": "SELECT VERSION()",
    "mariadb": "SELECT VERSION()",
    "sqlite": "SELECT sqlite_version()",
}


def _async_engine(target: AsyncTarget | None) -> AsyncEngine:
    if target is None:
        return get_async_database().engine
    return target.engine if isinstance(target, AsyncDatabase) else target


def _sync_engine(target: SyncTarget | None) -> Engine:
    if target is None:
        return get_database().engine
    return target.engine if isinstance(target, Database) else target


def summarize_error(error: BaseException) -> str:
    """The driver's own message, first line only: never the SQL or the URL."""
    cause: BaseException = error
    if isinstance(error, sa_exc.DBAPIError) and error.orig is not None:
        cause = error.orig
    lines = str(cause).strip().splitlines()
    first = lines[0] if lines else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def _result(started: float, error: str | None) -> dict[str, Any]:
    return {
        "healthy": error is None,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "timestamp": datetime.now(UTC),
        "error": error,
    }


async def check_database_health(
    database_or_engine: AsyncTarget | None = None,
    *,
    time_limit: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """``{"healthy", "latency_ms", "timestamp", "error"}`` after a ``SELECT 1``.

    Defaults to the default async database.
    """
    engine = _async_engine(database_or_engine)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(time_limit):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return _result(started, f"TimeoutError: no answer within {time_limit:g}s")
    except Exception as error:
        return _result(started, summarize_error(error))
    return _result(started, None)


def check_database_health_sync(database_or_engine: SyncTarget | None = None) -> dict[str, Any]:
    """Sync twin of :func:`check_database_health` (scripts, workers).

    The time limit is the driver's connect timeout and the pool timeout:
    a blocking driver call cannot be interrupted from Python.
    """
    engine = _sync_engine(database_or_engine)
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return _result(started, summarize_error(error))
    return _result(started, None)


def pool_statistics(pool: Pool) -> dict[str, Any]:
    """Pool size and connection counts; ``None`` where the pool keeps none."""
    if isinstance(pool, QueuePool):
        return {
            "pool": type(pool).__name__,
            "pool_size": pool.size(),
            "connections": {
                "active": pool.checkedout(),
                "idle": pool.checkedin(),
                "overflow": max(pool.overflow(), 0),
            },
        }
    return {
        "pool": type(pool).__name__,
        "pool_size": None,
        "connections": {"active": None, "idle": None, "overflow": None},
    }


def _product(engine: Engine) -> str:
    dialect = engine.dialect
    if getattr(dialect, "is_mariadb", False):
        return "MariaDB"
    return {"postgresql": "PostgreSQL", "mysql": "MySQL", "sqlite": "SQLite"}.get(
        dialect.name, dialect.name
    )


def _version_label(engine: Engine, raw: str | None) -> str | None:
    info = engine.dialect.server_version_info
    numbers = [str(part) for part in (info or ()) if isinstance(part, int)]
    if numbers:
        return f"{_product(engine)} {'.'.join(numbers)}"
    return f"{_product(engine)} {raw}" if raw else None


def _version_query(engine: Engine) -> str:
    return _VERSION_QUERIES.get(engine.dialect.name, "SELECT VERSION()")


def _info(engine: Engine, raw: str | None, error: str | None) -> dict[str, Any]:
    return {
        "dialect": engine.dialect.name,
        "driver": engine.dialect.driver,
        "version": _version_label(engine, raw) if error is None else None,
        "server_version": raw,
        **pool_statistics(engine.pool),
        "error": error,
    }


async def _server_version(connection: AsyncConnection, query: str) -> str | None:
    value = (await connection.execute(text(query))).scalar()
    return None if value is None else str(value)


async def get_database_info(
    database_or_engine: AsyncTarget | None = None,
    *,
    time_limit: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Server version, dialect and pool usage (the shape:
    ``info["version"]``, ``info["connections"]["active"|"idle"]``,
    ``info["pool_size"]``). Pool figures are read after the probe's own
    connection went back, so they describe the application's use."""
    engine = _async_engine(database_or_engine)
    raw: str | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(time_limit):
            async with engine.connect() as connection:
                raw = await _server_version(connection, _version_query(engine.sync_engine))
    except TimeoutError:
        error = f"TimeoutError: no answer within {time_limit:g}s"
    except Exception as caught:
        error = summarize_error(caught)
    return _info(engine.sync_engine, raw, error)


def _sync_server_version(connection: Connection, query: str) -> str | None:
    value = connection.execute(text(query)).scalar()
    return None if value is None else str(value)


def get_database_info_sync(database_or_engine: SyncTarget | None = None) -> dict[str, Any]:
    """Sync twin of :func:`get_database_info`."""
    engine = _sync_engine(database_or_engine)
    raw: str | None = None
    error: str | None = None
    try:
        with engine.connect() as connection:
            raw = _sync_server_version(connection, _version_query(engine))
    except Exception as caught:
        error = summarize_error(caught)
    return _info(engine, raw, error)
