"""A unit of work that joins a scope before anyone used its transaction
writes without a SAVEPOINT (there is no one else's work to protect), and
still never commits: the scope's owner does. Real commits, checked from
another connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import IntegrityConflict

from .order_model import Order, OrderRecord, OrderUnitOfWork


def stored(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        statement = select(OrderRecord.id).execution_options(include_deleted=True)
        return set(connection.scalars(statement))


@pytest.fixture
def savepoints(committing_database: AsyncDatabase) -> Iterator[list[str]]:
    """SAVEPOINT statements the database's engine sends."""
    sent: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.upper().startswith("SAVEPOINT"):
            sent.append(statement)

    engine = committing_database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", watch)
    yield sent
    event.remove(engine, "before_cursor_execute", watch)


async def test_the_first_writer_of_a_scope_sends_no_savepoint_and_leaves_the_commit(
    committing_database: AsyncDatabase, sync_engine: Engine, savepoints: list[str]
) -> None:
    async with committing_database.scope() as session:
        async with OrderUnitOfWork(committing_database).writing() as uow:
            await uow.orders.add(Order("first", "first"))
            await uow.commit()
        assert stored(sync_engine) == set()  # flushed, not committed
        await session.commit()
    assert stored(sync_engine) == {"first"}
    assert savepoints == []


async def test_a_failed_first_writer_rolls_back_only_its_work_and_the_scope_goes_on(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with OrderUnitOfWork(committing_database) as uow:
        await uow.orders.add(Order("taken", "taken"))
        await uow.commit()
    async with committing_database.scope() as session:
        async with OrderUnitOfWork(committing_database).writing() as uow:
            await uow.orders.add(Order("fresh", "fresh"))
            await uow.orders.add(Order("taken", "again"))
            with pytest.raises(IntegrityConflict):
                await uow.commit()
        async with OrderUnitOfWork(committing_database) as uow:
            await uow.orders.add(Order("after", "after"))
            await uow.commit()
        await session.commit()
    assert stored(sync_engine) == {"taken", "after"}


async def test_a_second_commit_protects_what_the_first_one_wrote(
    committing_database: AsyncDatabase, sync_engine: Engine, savepoints: list[str]
) -> None:
    """After its first commit the unit of work's writes are the scope's: a
    failing second commit must not take them away."""
    async with OrderUnitOfWork(committing_database) as uow:
        await uow.orders.add(Order("taken", "taken"))
        await uow.commit()
    async with committing_database.scope() as session:
        async with OrderUnitOfWork(committing_database) as uow:
            await uow.orders.add(Order("kept", "kept"))
            await uow.commit()
            await uow.orders.add(Order("taken", "again"))
            with pytest.raises(IntegrityConflict):
                await uow.commit()
        await session.commit()
    assert stored(sync_engine) == {"taken", "kept"}
    assert len(savepoints) == 1
