"""The synchronous module path: one engine, ``SessionLocal``, ``get_db``,
schema helpers, the **sync** generic repository as ``BaseRepository`` and
a sync health check answering ``{"status", "database"}``.

For scripts, workers and ``def`` routes. ``engine``, ``SessionLocal``,
``async_engine`` and ``AsyncSessionLocal`` are the default databases'
objects, resolved on access: importing this module builds no engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from shared_infrastructure.database.base import NAMING_CONVENTION, Base
from shared_infrastructure.database.compat import create_db_engine
from shared_infrastructure.database.database import Database
from shared_infrastructure.database.defaults import get_async_database, get_database
from shared_infrastructure.database.health import check_database_health_sync
from shared_infrastructure.database.helpers import get_async_db, get_db, get_db_context
from shared_infrastructure.database.repository.sync import SyncBaseRepository
from shared_infrastructure.database.schema import drop_db, init_db, reset_db

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
    from sqlalchemy.orm import Session, sessionmaker

    engine: Engine
    SessionLocal: sessionmaker[Session]
    async_engine: AsyncEngine
    AsyncSessionLocal: async_sessionmaker[AsyncSession]

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




def __getattr__(name: str) -> Any:
    if name == "engine":
        return get_database().engine
    if name == "SessionLocal":
        return get_database().session_factory
    if name == "async_engine":
        return get_async_database().engine
    if name == "AsyncSessionLocal":
        return get_async_database().session_factory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
