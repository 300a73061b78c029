"""The process-wide default databases behind the module-level helpers.

Nothing is created at import time. ``init_database()`` sets the defaults
explicitly (the API does); otherwise the first helper that needs one builds
it from :func:`get_settings` (what a script wants). ``close_database()``
disposes both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import overload

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from shared_infrastructure.config.settings import Settings, get_settings
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.database.sessions import transaction_depth


@dataclass
class _Defaults:
    settings: Settings | None = None
    async_database: AsyncDatabase | None = None
    sync_database: Database | None = None


_defaults = _Defaults()


def current_settings() -> Settings:
    """The settings the default databases are built from."""
    return _defaults.settings or get_settings()


async def init_database(
    target: Settings | AsyncEngine | AsyncDatabase | None = None,
) -> AsyncDatabase:
    """Open the default async database (the API's startup). Idempotent per target."""
    if isinstance(target, AsyncDatabase):
        database = target
    elif isinstance(target, AsyncEngine):
        database = AsyncDatabase(target)
    else:
        _defaults.settings = target or _defaults.settings
        database = AsyncDatabase(create_async_db_engine(current_settings()))
    if _defaults.async_database is not None and _defaults.async_database is not database:
        await _defaults.async_database.dispose()
    _defaults.async_database = database
    return database


def init_sync_database(target: Settings | Engine | Database | None = None) -> Database:
    """Open the default sync database (scripts, workers, active record)."""
    if isinstance(target, Database):
        database = target
    elif isinstance(target, Engine):
        database = Database(target)
    else:
        _defaults.settings = target or _defaults.settings
        database = Database(create_sync_engine(current_settings()))
    if _defaults.sync_database is not None and _defaults.sync_database is not database:
        _defaults.sync_database.dispose()
    _defaults.sync_database = database
    return database


async def close_database() -> None:
    """Dispose the default databases (the shutdown hook)."""
    async_database, sync_database = _defaults.async_database, _defaults.sync_database
    _defaults.async_database = _defaults.sync_database = None
    _defaults.settings = None
    if async_database is not None:
        await async_database.dispose()
    if sync_database is not None:
        sync_database.dispose()


def create_db_engine(settings: Settings | None = None) -> Engine:
    """A sync engine for ``settings`` (default: the default databases'
    settings); in-memory SQLite shares one connection, foreign keys on."""
    return create_sync_engine(settings or current_settings())


def opened_default_databases() -> list[Database | AsyncDatabase]:
    """The default databases opened so far (creates none)."""
    return [db for db in (_defaults.sync_database, _defaults.async_database) if db is not None]


def get_async_database() -> AsyncDatabase:
    if _defaults.async_database is None:
        _defaults.async_database = AsyncDatabase(create_async_db_engine(current_settings()))
    return _defaults.async_database


def get_database() -> Database:
    """The default sync ``Database`` (``db`` of the active-record path)."""
    if _defaults.sync_database is None:
        async_database = _defaults.async_database
        url = async_database.engine.url if async_database is not None else None
        _defaults.sync_database = Database(create_sync_engine(current_settings(), url))
    return _defaults.sync_database


@contextmanager
def use_default_databases(
    *, sync: Database | None = None, async_: AsyncDatabase | None = None
) -> Iterator[None]:
    """Point the module-level helpers (``get_session()``, ``transaction()``,
    ``BaseModel.save()``...) at these databases for the block, then restore
    the previous defaults without disposing anything (tests, tools)."""
    previous = (_defaults.sync_database, _defaults.async_database)
    if sync is not None:
        _defaults.sync_database = sync
    if async_ is not None:
        _defaults.async_database = async_
    try:
        yield
    finally:
        _defaults.sync_database, _defaults.async_database = previous


@overload
def is_in_transaction() -> bool: ...
@overload
def is_in_transaction(session: Session | AsyncSession) -> bool: ...
def is_in_transaction(session: Session | AsyncSession | None = None) -> bool:
    """Inside a ``transaction()``/``savepoint()`` block: of ``session``, or
    (without one) of either default database's current session."""
    if session is None:
        return any(database.is_in_transaction() for database in opened_default_databases())
    return transaction_depth(session) > 0
