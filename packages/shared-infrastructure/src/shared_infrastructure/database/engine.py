"""One engine factory for SQLite, PostgreSQL and MariaDB/MySQL, sync and async.

Both flavours share :func:`engine_options`, so pool settings and dialect
tweaks are decided in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.sqlite import configure_sqlite_engine
from shared_infrastructure.database.urls import (
    async_url,
    is_sqlite,
    is_sqlite_memory,
    require_driver,
    sync_url,
)


def engine_options(url: URL, settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "echo": settings.database_echo,
        "echo_pool": settings.database_echo_pool,
    }
    if is_sqlite_memory(url):
        # One shared connection, or every checkout would see an empty database.
        options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        return options
    options.update(
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout,
        pool_recycle=settings.database_pool_recycle,
        pool_pre_ping=settings.database_pool_pre_ping,
    )
    if is_sqlite(url):
        options["connect_args"] = {"check_same_thread": False}
    return options


def _prepare_sqlite_file(url: URL) -> None:
    if is_sqlite(url) and not is_sqlite_memory(url) and url.database:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _finish(engine: Engine, url: URL) -> None:
    if is_sqlite(url):
        configure_sqlite_engine(engine, file_based=not is_sqlite_memory(url))


def create_sync_engine(settings: Settings, url: URL | str | None = None) -> Engine:
    """A sync engine (scripts, workers, migrations) for ``settings``."""
    target = sync_url(url or settings.url)
    require_driver(target)
    _prepare_sqlite_file(target)
    engine = create_engine(target, **engine_options(target, settings))
    _finish(engine, target)
    return engine


def create_async_db_engine(settings: Settings, url: URL | str | None = None) -> AsyncEngine:
    """An async engine (the API) for ``settings``."""
    target = async_url(url or settings.url)
    require_driver(target)
    _prepare_sqlite_file(target)
    engine = create_async_engine(target, **engine_options(target, settings))
    _finish(engine.sync_engine, target)
    return engine
