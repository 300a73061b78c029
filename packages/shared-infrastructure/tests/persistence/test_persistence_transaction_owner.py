"""One owner per transaction: a unit of work that joins an open scope (a
request, an inbox delivery) never commits, rolls back or discards work it
did not do; the scope's owner commits. Real commits, checked from another
connection."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, func, select

from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.engine import create_sync_engine
from shared_infrastructure.database.errors import IntegrityConflict

from .order_model import Order, OrderRecord, OrderUnitOfWork, SyncOrderUnitOfWork


def stored(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        statement = select(OrderRecord.id).execution_options(include_deleted=True)
        return set(connection.scalars(statement))


def raw_order(order_id: str) -> OrderRecord:
    return OrderRecord(id=order_id, name=f"raw {order_id}", total=Decimal("1.00"))


async def test_a_read_only_use_case_keeps_what_the_scope_flushed(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    """The issue's scenario: a row flushed through the scope's session, then
    a read-only unit of work; the owner's commit keeps the row."""
    async with committing_database.scope() as session:
        session.add(raw_order("flushed"))
        await session.flush()
        async with OrderUnitOfWork(committing_database) as uow:
            assert await uow.orders.get("flushed") is not None
        await session.commit()
    assert stored(sync_engine) == {"flushed"}


async def test_a_joined_commit_leaves_the_transaction_to_the_owner(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with committing_database.scope():
        async with OrderUnitOfWork(committing_database) as uow:
            await uow.orders.add(Order("joined", "joined"))
            await uow.commit()
        assert stored(sync_engine) == set()  # released a SAVEPOINT, no COMMIT
    assert stored(sync_engine) == set()  # the owner never committed: nothing kept


async def test_a_failed_joined_commit_undoes_only_its_own_writes(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with OrderUnitOfWork(committing_database) as uow:
        await uow.orders.add(Order("taken", "taken"))
        await uow.commit()
    async with committing_database.scope() as session:
        session.add(raw_order("before"))
        await session.flush()
        async with OrderUnitOfWork(committing_database) as uow:
            await uow.orders.add(Order("fresh", "fresh"))
            await uow.orders.add(Order("taken", "again"))
            with pytest.raises(IntegrityConflict):
                await uow.commit()
        async with OrderUnitOfWork(committing_database) as uow:
            await uow.orders.add(Order("after", "after"))
            await uow.commit()
        await session.commit()
    assert stored(sync_engine) == {"taken", "before", "after"}


async def test_what_a_joined_unit_of_work_staged_but_never_committed_is_not_written(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with committing_database.scope() as session:
        async with OrderUnitOfWork(committing_database) as uow:
            await uow.orders.add(Order("staged", "staged"))
        session.add(raw_order("owner"))
        await session.commit()
    assert stored(sync_engine) == {"owner"}


async def test_a_joined_unit_of_work_may_commit_twice(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with committing_database.scope() as session:
        async with OrderUnitOfWork(committing_database) as uow:
            order = Order("twice", "one")
            await uow.orders.add(order)
            await uow.commit()
            order.rename("two")
            await uow.commit()
        await session.commit()
    async with OrderUnitOfWork(committing_database) as uow:
        again = await uow.orders.get_or_raise("twice")
    assert (again.name, again.version) == ("two", 2)


def test_the_sync_twin_keeps_what_the_scope_flushed(db_settings: Settings) -> None:
    engine = create_sync_engine(db_settings)
    database = Database(engine)
    try:
        with database.scope() as session:
            session.add(raw_order("sync-flushed"))
            session.flush()
            with SyncOrderUnitOfWork(database) as uow:
                assert uow.orders.get("sync-flushed") is not None
            with SyncOrderUnitOfWork(database) as uow:
                uow.orders.add(Order("sync-staged", "never committed"))
            session.commit()
        with engine.connect() as connection:
            count = connection.scalar(
                select(func.count()).select_from(OrderRecord).where(OrderRecord.id.like("sync-%"))
            )
        assert count == 1
    finally:
        with database.scope() as session:
            session.execute(delete(OrderRecord).where(OrderRecord.id == "sync-flushed"))
            session.commit()
        database.dispose()
