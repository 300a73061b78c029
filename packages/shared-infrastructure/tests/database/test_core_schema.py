"""Schema utilities on a private metadata, so the
shared tables stay untouched: create/drop/reset, one table, existence."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from sqlalchemy import Engine, ForeignKey, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared_infrastructure.database.base import NAMING_CONVENTION, Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import close_database, init_sync_database
from shared_infrastructure.database.schema import (
    create_all,
    create_db_tables,
    create_table,
    drop_all,
    drop_db,
    drop_db_tables,
    drop_table,
    init_db,
    reset_db,
    table_exists,
    table_exists_async,
)


class PrivateBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CoreSchemaOwner(PrivateBase):
    __tablename__ = "core_schema_owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


class CoreSchemaPet(PrivateBase):
    __tablename__ = "core_schema_pets"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("core_schema_owners.id"))


PRIVATE = PrivateBase.metadata
OWNERS, PETS = CoreSchemaOwner.__tablename__, CoreSchemaPet.__tablename__
OWNERS_TABLE, PETS_TABLE = PRIVATE.tables[OWNERS], PRIVATE.tables[PETS]


@pytest.fixture
def engine(sync_engine: Engine) -> Iterator[Engine]:
    yield sync_engine
    drop_all(sync_engine, PRIVATE)


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def test_init_db_creates_missing_tables_and_is_idempotent(engine: Engine) -> None:
    assert not table_exists(OWNERS, engine)
    init_db(engine, PRIVATE)
    init_db(engine, PRIVATE)
    assert table_exists(OWNERS, engine)
    assert table_exists(PETS, engine)


def test_reset_db_empties_the_tables(engine: Engine) -> None:
    create_all(engine, PRIVATE)
    with engine.begin() as connection:
        connection.execute(insert(OWNERS_TABLE).values(name="x"))
    assert _count(engine, OWNERS_TABLE) == 1
    reset_db(engine, PRIVATE)
    assert table_exists(OWNERS, engine)
    assert _count(engine, OWNERS_TABLE) == 0


def test_drop_db_drops_every_table(engine: Engine) -> None:
    init_db(engine, PRIVATE)
    drop_db(engine, PRIVATE)
    assert not table_exists(OWNERS, engine)
    assert not table_exists(PETS, engine)


def test_create_and_drop_one_table_by_model_or_table(engine: Engine) -> None:
    create_table(CoreSchemaOwner, engine)
    assert table_exists(OWNERS, engine)
    assert not table_exists(PETS, engine)
    create_table(PETS_TABLE, engine)
    create_table(CoreSchemaPet, engine)  # already there: no error
    drop_table(CoreSchemaPet, engine)
    drop_table(CoreSchemaPet, engine)  # already gone: no error
    assert not table_exists(PETS, engine)
    assert table_exists(OWNERS, engine)


def test_create_table_refuses_what_is_not_a_table() -> None:
    with pytest.raises(TypeError, match="neither a Table nor a mapped class"):
        create_table(object)


def test_shared_base_tables_exist(sync_engine: Engine) -> None:
    create_all(sync_engine)  # Base.metadata by default; idempotent
    assert all(table_exists(name, sync_engine) for name in Base.metadata.tables)


async def test_defaults_to_the_default_database(engine: Engine) -> None:
    init_sync_database(Database(engine))
    try:
        init_db(metadata=PRIVATE)
        assert table_exists(OWNERS)
        drop_table(CoreSchemaPet)
        assert not table_exists(PETS)
    finally:
        await close_database()


@pytest_asyncio.fixture(loop_scope="session")
async def private_async(async_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    yield async_engine
    await drop_db_tables(async_engine, PRIVATE)


async def test_create_db_tables_async(private_async: AsyncEngine) -> None:
    assert not await table_exists_async(OWNERS, private_async)
    await create_db_tables(private_async, PRIVATE)
    assert await table_exists_async(OWNERS, private_async)
    await drop_db_tables(AsyncDatabase(private_async), PRIVATE)
    assert not await table_exists_async(PETS, AsyncDatabase(private_async))


async def test_create_db_tables_on_a_connection(private_async: AsyncEngine) -> None:
    async with private_async.begin() as connection:
        await create_db_tables(connection, PRIVATE)
        assert await table_exists_async(PETS, connection)
    assert await table_exists_async(PETS, private_async)
