"""Transaction semantics with real commits: savepoints keep the outer work,
an outer rollback undoes released savepoints, a failed transaction leaves
nothing behind (``Database`` and ``AsyncDatabase``)."""

from __future__ import annotations

import pytest
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.errors import IntegrityConflict


class CoreTxRow(Base):
    __tablename__ = "core_tx_rows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Boom(Exception):
    pass


async def _ids(database: AsyncDatabase) -> list[int]:
    async with database.scope() as session:
        return list(await session.scalars(select(CoreTxRow.id).order_by(CoreTxRow.id)))


def _sync_ids(database: Database) -> list[int]:
    with database.scope() as session:
        return list(session.scalars(select(CoreTxRow.id).order_by(CoreTxRow.id)))


async def _add_then_fail(session: AsyncSession, *rows: CoreTxRow) -> None:
    session.add_all(rows)
    await session.flush()
    raise Boom


def _sync_add_then_fail(session: Session, *rows: CoreTxRow) -> None:
    session.add_all(rows)
    session.flush()
    raise Boom


async def test_savepoint_rollback_keeps_the_outer_work(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database
    async with db.scope(), db.transaction() as session:
        session.add(CoreTxRow(id=1, name="outer"))
        with pytest.raises(Boom):
            async with db.savepoint():
                await _add_then_fail(session, CoreTxRow(id=2, name="inner"))
        assert db.is_in_transaction()
        session.add(CoreTxRow(id=3, name="after"))
    assert await _ids(db) == [1, 3]


async def test_outer_rollback_undoes_a_released_savepoint(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database

    async def work() -> None:
        async with db.scope(), db.transaction() as session:
            session.add(CoreTxRow(id=1, name="outer"))
            async with db.savepoint():
                session.add(CoreTxRow(id=2, name="inner"))
            raise Boom

    with pytest.raises(Boom):
        await work()
    assert await _ids(db) == []


async def test_nested_transaction_is_a_savepoint(committing_database: AsyncDatabase) -> None:
    db = committing_database
    async with db.scope(), db.transaction() as session:
        session.add(CoreTxRow(id=1, name="outer"))
        with pytest.raises(Boom):
            async with db.transaction():
                await _add_then_fail(session, CoreTxRow(id=2, name="inner"))
    assert await _ids(db) == [1]


async def test_a_failed_transaction_leaves_nothing_behind(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database

    async def work(session: AsyncSession) -> None:
        async with db.transaction():
            session.add(CoreTxRow(id=1, name="same"))
            await session.flush()
            session.add(CoreTxRow(id=2, name="same"))
            await session.flush()

    async with db.scope() as session:
        with pytest.raises(IntegrityConflict):
            await work(session)
        assert not db.is_in_transaction()
        # The session is usable again after the rollback.
        async with db.transaction():
            session.add(CoreTxRow(id=3, name="fine"))
    assert await _ids(db) == [3]


async def test_is_in_transaction_follows_the_blocks(committing_database: AsyncDatabase) -> None:
    db = committing_database
    async with db.scope():
        assert not db.is_in_transaction()
        async with db.transaction():
            assert db.is_in_transaction()
            async with db.savepoint():
                assert db.is_in_transaction()
            assert db.is_in_transaction()
        assert not db.is_in_transaction()


def test_sync_savepoint_rollback_keeps_the_outer_work(
    committing_sync_database: Database,
) -> None:
    db = committing_sync_database
    with db.scope(), db.transaction() as session:
        session.add(CoreTxRow(id=1, name="outer"))
        with pytest.raises(Boom), db.savepoint():
            _sync_add_then_fail(session, CoreTxRow(id=2, name="inner"))
        assert db.is_in_transaction()
    assert _sync_ids(db) == [1]


def test_sync_outer_rollback_undoes_a_released_savepoint(
    committing_sync_database: Database,
) -> None:
    db = committing_sync_database

    def work() -> None:
        with db.scope(), db.transaction() as session:
            session.add(CoreTxRow(id=1, name="outer"))
            with db.savepoint():
                session.add(CoreTxRow(id=2, name="inner"))
            raise Boom

    with pytest.raises(Boom):
        work()
    assert _sync_ids(db) == []


def test_sync_failed_transaction_leaves_nothing_behind(
    committing_sync_database: Database,
) -> None:
    db = committing_sync_database

    def work(session: Session) -> None:
        with db.transaction():
            session.add(CoreTxRow(id=1, name="same"))
            session.flush()
            session.add(CoreTxRow(id=2, name="same"))
            session.flush()

    with db.scope() as session:
        with pytest.raises(IntegrityConflict):
            work(session)
        assert not db.is_in_transaction()
    assert _sync_ids(db) == []


def test_sync_scope_rolls_back_on_error(committing_sync_database: Database) -> None:
    db = committing_sync_database
    with pytest.raises(Boom), db.scope() as session:
        _sync_add_then_fail(session, CoreTxRow(id=1, name="x"))
    with db.scope() as session:
        assert session.scalar(select(func.count()).select_from(CoreTxRow)) == 0
