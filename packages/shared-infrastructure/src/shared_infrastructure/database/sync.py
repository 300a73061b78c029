"""The synchronous module path: one engine, ``SessionLocal``, ``get_db``,
schema helpers, the **sync** generic repository as ``BaseRepository`` and
a sync health check answering ``{"status", "database"}``.

For scripts, workers and ``def`` routes. ``create_engine`` is SQLAlchemy's,
except that in-memory SQLite shares one connection between threads. ``engine``, ``SessionLocal``,
``async_engine`` and ``AsyncSessionLocal`` stand for the default databases'
objects, resolved on every use: importing them builds no engine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from shared_infrastructure.database.base import NAMING_CONVENTION, Base
from shared_infrastructure.database.database import Database
from shared_infrastructure.database.defaults import create_db_engine
from shared_infrastructure.database.defaults_proxies import (
    AsyncSessionLocal,
    SessionLocal,
    async_engine,
    engine,
)
from shared_infrastructure.database.engine import create_engine_like_sqlalchemy as create_engine
from shared_infrastructure.database.health import check_database_health_sync
from shared_infrastructure.database.helpers import get_async_db, get_db, get_db_context
from shared_infrastructure.database.repository.sync import SyncBaseRepository
from shared_infrastructure.database.schema import drop_db, init_db, reset_db

#: The sync repository under the name the sync template uses.
BaseRepository = SyncBaseRepository
metadata = Base.metadata

__all__ = [
    "NAMING_CONVENTION",
    "AsyncSessionLocal",
    "Base",
    "BaseRepository",
    "SessionLocal",
    "async_engine",
    "check_database_health",
    "create_db_engine",
    "create_engine",
    "drop_db",
    "engine",
    "get_async_db",
    "get_db",
    "get_db_context",
    "init_db",
    "metadata",
    "reset_db",
]


def check_database_health(target: Database | Engine | None = None) -> dict[str, Any]:
    """``{"status": "healthy", "database": "connected"}``, or ``"unhealthy"``
    with the driver's message; the canonical keys (``healthy``,
    ``latency_ms``, ``timestamp``, ``error``) are included too."""
    report = check_database_health_sync(target)
    if report["healthy"]:
        return {"status": "healthy", "database": "connected", **report}
    return {"status": "unhealthy", "database": report["error"], **report}
