"""One engine factory for SQLite, PostgreSQL and MariaDB/MySQL, sync and async.

Both flavours share :func:`engine_options`, so pool settings and dialect
tweaks are decided in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from shared_infrastructure.config.settings import Settings, load_settings
from shared_infrastructure.database.idle_ping import ping_idle_connections
from shared_infrastructure.database.sqlite import configure_sqlite_engine
from shared_infrastructure.database.types import set_naive_timezone
from shared_infrastructure.database.urls import (
    async_url,
    is_sqlite,
    is_sqlite_memory,
    require_driver,
    sync_url,
)

PrePingPolicy = Literal["every checkout", "after idle", "never"]


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
        pool_pre_ping=pre_ping_policy(url, settings) == "every checkout",
    )
    if is_sqlite(url):
        options["connect_args"] = {"check_same_thread": False}
    return options


def pre_ping_policy(url: URL, settings: Settings) -> PrePingPolicy:
    """``"every checkout"``, ``"after idle"`` or ``"never"``.

    An embedded database has no server to lose, so it is never pinged; a
    server's connections are pinged once idle for
    ``database_pool_pre_ping_idle`` seconds (``0``: on every checkout, as
    SQLAlchemy's ``pool_pre_ping`` does). See :mod:`.idle_ping`.
    """
    if not settings.database_pool_pre_ping or is_sqlite(url):
        return "never"
    return "every checkout" if settings.database_pool_pre_ping_idle == 0 else "after idle"


def _prepare_sqlite_file(url: URL) -> None:
    if is_sqlite(url) and not is_sqlite_memory(url) and url.database:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _finish(engine: Engine, url: URL, settings: Settings) -> None:
    set_naive_timezone(engine.dialect, settings.timezone)
    if is_sqlite(url):
        configure_sqlite_engine(engine, file_based=not is_sqlite_memory(url))
    if pre_ping_policy(url, settings) == "after idle":
        ping_idle_connections(engine, settings.database_pool_pre_ping_idle)


def create_sync_engine(settings: Settings, url: URL | str | None = None) -> Engine:
    """A sync engine (scripts, workers, migrations) for ``settings``."""
    target = sync_url(url or settings.url)
    require_driver(target)
    _prepare_sqlite_file(target)
    engine = create_engine(target, **engine_options(target, settings))
    _finish(engine, target, settings)
    return engine


def create_async_db_engine(settings: Settings, url: URL | str | None = None) -> AsyncEngine:
    """An async engine (the API) for ``settings``."""
    target = async_url(url or settings.url)
    require_driver(target)
    _prepare_sqlite_file(target)
    engine = create_async_engine(target, **engine_options(target, settings))
    _finish(engine.sync_engine, target, settings)
    return engine


def create_test_engine(url: str = "sqlite+aiosqlite:///:memory:") -> AsyncEngine:
    """An async engine for tests; in-memory SQLite shares one connection,
    so tables created in a fixture are seen by every session."""
    return create_async_db_engine(load_settings(database_url=url))


def create_engine_like_sqlalchemy(url: str | URL, **kwargs: Any) -> Engine:
    """``sqlalchemy.create_engine`` with one change: in-memory SQLite gets
    one shared connection (``StaticPool``), so tables a fixture creates are
    seen by every session and thread (SQLAlchemy's default pool gives each
    thread its own, empty, database), and SQLite's ``check_same_thread``
    is dropped for the server databases. Foreign keys are enforced on SQLite."""
    target = make_url(url)
    if not is_sqlite(target) and "connect_args" in kwargs:
        # SQLite's thread check means nothing to server drivers, which refuse it.
        kwargs["connect_args"] = {
            key: value
            for key, value in kwargs["connect_args"].items()
            if key != "check_same_thread"
        }
    if is_sqlite_memory(target) and "poolclass" not in kwargs:
        kwargs["poolclass"] = StaticPool
        connect_args = dict(kwargs.get("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        kwargs["connect_args"] = connect_args
    engine = create_engine(target, **kwargs)
    if is_sqlite(target):
        configure_sqlite_engine(engine, file_based=not is_sqlite_memory(target))
    return engine
