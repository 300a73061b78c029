"""The domain-level unit of work and repository adapter, on a real database."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.errors import DatabaseUnavailable, IntegrityConflict
from shared_infrastructure.domain import ConcurrencyConflict, NotFound

from .order_model import (
    LineAdded,
    Order,
    OrderLineRecord,
    OrderRecord,
    OrderRenamed,
    OrderUnitOfWork,
    SyncOrderUnitOfWork,
)


async def _create(database: AsyncDatabase, order_id: str = "o1", name: str = "first") -> None:
    async with OrderUnitOfWork(database) as uow:
        await uow.orders.add(Order(order_id, name, Decimal("10.00")))
        await uow.commit()


async def test_added_aggregate_is_written_with_version_one(database: AsyncDatabase) -> None:
    await _create(database)
    async with OrderUnitOfWork(database) as uow:
        order = await uow.orders.get_or_raise("o1")
    assert (order.name, order.total, order.version) == ("first", Decimal("10.00"), 1)


async def test_changes_are_written_back_without_a_save_call(database: AsyncDatabase) -> None:
    await _create(database)
    async with OrderUnitOfWork(database) as uow:
        order = await uow.orders.get_or_raise("o1")
        order.rename("renamed")
        await uow.commit()
    assert order.version == 2
    async with OrderUnitOfWork(database) as uow:
        assert (await uow.orders.get_or_raise("o1")).name == "renamed"


async def test_unchanged_aggregate_keeps_its_version(database: AsyncDatabase) -> None:
    await _create(database)
    async with OrderUnitOfWork(database) as uow:
        await uow.orders.get_or_raise("o1")
        await uow.commit()
    async with OrderUnitOfWork(database) as uow:
        assert (await uow.orders.get_or_raise("o1")).version == 1


async def test_child_only_change_bumps_the_root_version(database: AsyncDatabase) -> None:
    await _create(database)
    async with OrderUnitOfWork(database) as uow:
        order = await uow.orders.get_or_raise("o1")
        order.add_line("sku-1", 2)
        await uow.commit()
    async with OrderUnitOfWork(database) as uow:
        reloaded = await uow.orders.get_or_raise("o1")
    assert reloaded.version == 2
    assert [(line.id, line.quantity) for line in reloaded.lines] == [("sku-1", 2)]


async def test_leaving_without_commit_writes_nothing(database: AsyncDatabase) -> None:
    async with OrderUnitOfWork(database) as uow:
        await uow.orders.add(Order("o9", "never"))
    async with OrderUnitOfWork(database) as uow:
        assert await uow.orders.get("o9") is None


async def test_same_identity_gives_the_same_object(database: AsyncDatabase) -> None:
    await _create(database)
    async with OrderUnitOfWork(database) as uow:
        first = await uow.orders.get_or_raise("o1")
        second = await uow.orders.by_name("first")
        page = await uow.orders.list()
    assert first is second
    assert page.items[0] is first


async def test_missing_aggregate_raises_not_found(database: AsyncDatabase) -> None:
    async with OrderUnitOfWork(database) as uow:
        with pytest.raises(NotFound, match="Order 'nope' not found"):
            await uow.orders.get_or_raise("nope")


async def test_lost_update_is_impossible(committing_database: AsyncDatabase) -> None:
    await _create(committing_database)
    async with (
        OrderUnitOfWork(committing_database) as first,
        OrderUnitOfWork(committing_database) as second,
    ):
        mine = await first.orders.get_or_raise("o1")
        theirs = await second.orders.get_or_raise("o1")
        mine.rename("mine")
        theirs.rename("theirs")
        await first.commit()
        with pytest.raises(ConcurrencyConflict) as caught:
            await second.commit()
        assert second.collect_events() == []
    assert caught.value.entity == "Order"
    async with OrderUnitOfWork(committing_database) as uow:
        survivor = await uow.orders.get_or_raise("o1")
    assert (survivor.name, survivor.version) == ("mine", 2)


async def test_the_conflict_names_the_aggregate_that_was_written(
    committing_database: AsyncDatabase,
) -> None:
    """Two orders were read, only the second was changed and had gone stale."""
    await _create(committing_database, "o1", "first")
    await _create(committing_database, "o2", "second")
    async with OrderUnitOfWork(committing_database) as uow:
        await uow.orders.get_or_raise("o1")
        mine = await uow.orders.get_or_raise("o2")
        async with committing_database.session_factory() as other:
            await other.execute(
                update(OrderRecord)
                .where(OrderRecord.id == "o2")
                .values(version=OrderRecord.version + 1)
            )
            await other.commit()
        mine.rename("mine")
        with pytest.raises(ConcurrencyConflict) as caught:
            await uow.commit()
    assert (caught.value.entity, caught.value.identifier) == ("Order", "o2")
    assert str(caught.value).startswith("Order 'o2' ")  # SQLite: a lost race


async def test_concurrent_child_additions_conflict(committing_database: AsyncDatabase) -> None:
    await _create(committing_database)
    async with (
        OrderUnitOfWork(committing_database) as first,
        OrderUnitOfWork(committing_database) as second,
    ):
        (await first.orders.get_or_raise("o1")).add_line("a", 1)
        (await second.orders.get_or_raise("o1")).add_line("b", 1)
        await first.commit()
        with pytest.raises(ConcurrencyConflict):
            await second.commit()
    async with committing_database.scope() as session:
        skus = (await session.scalars(select(OrderLineRecord.sku))).all()
    assert skus == ["a"]


async def test_events_are_handed_out_only_after_a_successful_commit(
    database: AsyncDatabase,
) -> None:
    await _create(database)
    await _create(database, "o2", "second")
    async with OrderUnitOfWork(database) as uow:
        order = await uow.orders.get_or_raise("o2")
        order.rename("first")  # violates the unique name
        with pytest.raises(IntegrityConflict) as caught:
            await uow.commit()
        assert uow.collect_events() == []
    assert caught.value.constraint == "uq_pers_orders_name"
    assert caught.value.field == "name"
    async with OrderUnitOfWork(database) as uow:
        order = await uow.orders.get_or_raise("o2")
        order.rename("fine")
        order.add_line("x", 1)
        await uow.commit()
        events = uow.collect_events()
    assert [type(e) for e in events] == [OrderRenamed, LineAdded]
    assert order.pending_events == ()


async def test_remove_soft_deletes_and_hides(database: AsyncDatabase) -> None:
    await _create(database)
    async with OrderUnitOfWork(database) as uow:
        await uow.orders.remove(await uow.orders.get_or_raise("o1"))
        await uow.commit()
    async with OrderUnitOfWork(database) as uow:
        assert await uow.orders.get("o1") is None
        assert (await uow.orders.list()).total == 0
    async with database.scope() as session:
        hidden = select(func.count()).select_from(OrderRecord)
        assert await session.scalar(hidden.execution_options(include_deleted=True)) == 1


async def test_remove_of_a_missing_aggregate_raises(database: AsyncDatabase) -> None:
    async with OrderUnitOfWork(database) as uow:
        with pytest.raises(NotFound):
            await uow.orders.remove(Order("ghost", "ghost"))


async def test_joins_the_active_scope(database: AsyncDatabase) -> None:
    async with database.scope() as session:
        async with OrderUnitOfWork(database) as uow:
            assert uow.session is session
            await uow.orders.add(Order("o5", "scoped"))
            await uow.commit()
        assert session.is_active  # not closed by the unit of work
        await session.commit()  # the scope's owner commits
    async with OrderUnitOfWork(database) as uow:
        assert await uow.orders.get("o5") is not None


def test_sync_unit_of_work_round_trip(sync_database: Database) -> None:
    with SyncOrderUnitOfWork(sync_database) as uow:
        uow.orders.add(Order("s1", "sync"))
        uow.commit()
    with SyncOrderUnitOfWork(sync_database) as uow:
        order = uow.orders.get_or_raise("s1")
        order.rename("sync2")
        uow.commit()
        assert [type(e) for e in uow.collect_events()] == [OrderRenamed]
    with SyncOrderUnitOfWork(sync_database) as uow:
        assert (uow.orders.get_or_raise("s1").name, order.version) == ("sync2", 2)


async def test_locked_writers_queue_instead_of_conflicting(
    committing_database: AsyncDatabase,
) -> None:
    """Every change survives: the row lock serialises read-modify-write."""
    await _create(committing_database)

    async def add_line(sku: str) -> None:
        async with OrderUnitOfWork(committing_database) as uow:
            order = await uow.orders.locked("o1")
            assert order is not None
            order.add_line(sku, 1)
            await uow.commit()

    await asyncio.gather(*(add_line(f"sku-{n}") for n in range(8)))
    async with OrderUnitOfWork(committing_database) as uow:
        order = await uow.orders.get_or_raise("o1")
    assert (len(order.lines), order.version) == (8, 9)


async def test_declared_writers_of_different_aggregates_all_commit(
    committing_database: AsyncDatabase,
) -> None:
    """Each writer reads before it writes. On SQLite, undeclared, most of
    them would fail on a stale snapshot; declared, they take turns."""
    await _create(committing_database)

    async def read_then_add(n: int) -> None:
        async with OrderUnitOfWork(committing_database).writing() as uow:
            await uow.orders.get_or_raise("o1")
            await asyncio.sleep(0)
            await uow.orders.add(Order(f"w{n}", f"writer {n}"))
            await uow.commit()

    await asyncio.gather(*(read_then_add(n) for n in range(12)))
    async with committing_database.scope() as session:
        total = await session.scalar(select(func.count()).select_from(OrderRecord))
    assert total == 13


def test_sync_writing_round_trip(sync_database: Database) -> None:
    with SyncOrderUnitOfWork(sync_database).writing() as uow:
        uow.orders.add(Order("s2", "sync"))
        uow.commit()
        uow.orders.add(Order("s3", "left uncommitted"))
    with SyncOrderUnitOfWork(sync_database) as uow:
        assert uow.orders.get("s2") is not None
        assert uow.orders.get("s3") is None


async def test_writing_on_a_database_that_went_away_is_unavailable() -> None:
    gone = AsyncDatabase(create_async_engine("postgresql+asyncpg://app:pw@127.0.0.1:1/app"))
    try:
        with pytest.raises(DatabaseUnavailable):
            async with OrderUnitOfWork(gone).writing():
                pytest.fail("the block must not run without a connection")
        assert gone.engine.pool.checkedout() == 0
    finally:
        await gone.dispose()


async def test_locking_a_missing_aggregate_gives_none(database: AsyncDatabase) -> None:
    async with OrderUnitOfWork(database) as uow:
        assert await uow.orders.locked("absent") is None
