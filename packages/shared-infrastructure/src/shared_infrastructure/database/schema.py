"""Schema utilities under their familiar names: create, drop and
reset the tables of ``Base.metadata``, one table at a time, or check one.

For tests, scripts and first starts; production schemas come from the
migrations. Every function takes an optional engine (or connection, or
database) and a metadata, defaulting to the default database and
``Base.metadata``. ``drop_db``/``reset_db`` destroy data: never in prod.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, MetaData, Table, inspect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import get_async_database, get_database

SyncBind = Engine | Connection | Database
AsyncBind = AsyncEngine | AsyncConnection | AsyncDatabase


def _bind(bind: SyncBind | None) -> Engine | Connection:
    if bind is None:
        return get_database().engine
    return bind.engine if isinstance(bind, Database) else bind


def _async_bind(bind: AsyncBind | None) -> AsyncEngine | AsyncConnection:
    if bind is None:
        return get_async_database().engine
    return bind.engine if isinstance(bind, AsyncDatabase) else bind


def _table(model_or_table: type[object] | Table) -> Table:
    if isinstance(model_or_table, Table):
        return model_or_table
    table = getattr(model_or_table, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model_or_table!r} is neither a Table nor a mapped class")
    return table


def create_all(bind: SyncBind | None = None, metadata: MetaData | None = None) -> None:
    """Create the tables that do not exist yet (idempotent, keeps data)."""
    (metadata or Base.metadata).create_all(_bind(bind), checkfirst=True)


def drop_all(bind: SyncBind | None = None, metadata: MetaData | None = None) -> None:
    """Drop every table of the metadata that exists. Destroys data."""
    (metadata or Base.metadata).drop_all(_bind(bind), checkfirst=True)


def reset_db(bind: SyncBind | None = None, metadata: MetaData | None = None) -> None:
    """Drop and recreate every table: a clean slate. Destroys data."""
    drop_all(bind, metadata)
    create_all(bind, metadata)


init_db = create_all
drop_db = drop_all


def create_table(model_or_table: type[object] | Table, bind: SyncBind | None = None) -> None:
    """One table, if missing."""
    _table(model_or_table).create(_bind(bind), checkfirst=True)


def drop_table(model_or_table: type[object] | Table, bind: SyncBind | None = None) -> None:
    """One table, if present."""
    _table(model_or_table).drop(_bind(bind), checkfirst=True)


def table_exists(name: str, bind: SyncBind | None = None, *, schema: str | None = None) -> bool:
    """Ask the database itself, not the metadata."""
    return inspect(_bind(bind)).has_table(name, schema=schema)


async def create_db_tables(bind: AsyncBind | None = None, metadata: MetaData | None = None) -> None:
    """Async ``create_db_tables()`` (e.g. in a FastAPI lifespan)."""
    target = _async_bind(bind)
    meta = metadata or Base.metadata
    if isinstance(target, AsyncConnection):
        await target.run_sync(meta.create_all, checkfirst=True)
        return
    async with target.begin() as connection:
        await connection.run_sync(meta.create_all, checkfirst=True)


async def drop_db_tables(bind: AsyncBind | None = None, metadata: MetaData | None = None) -> None:
    """Async twin of :func:`drop_db`. Destroys data."""
    target = _async_bind(bind)
    meta = metadata or Base.metadata
    if isinstance(target, AsyncConnection):
        await target.run_sync(meta.drop_all, checkfirst=True)
        return
    async with target.begin() as connection:
        await connection.run_sync(meta.drop_all, checkfirst=True)


async def table_exists_async(
    name: str, bind: AsyncBind | None = None, *, schema: str | None = None
) -> bool:
    """Async twin of :func:`table_exists`."""
    target = _async_bind(bind)

    def check(connection: Connection) -> bool:
        return inspect(connection).has_table(name, schema=schema)

    if isinstance(target, AsyncConnection):
        return await target.run_sync(check)
    async with target.connect() as connection:
        return await connection.run_sync(check)
