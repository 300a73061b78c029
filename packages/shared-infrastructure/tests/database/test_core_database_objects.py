"""``Database`` / ``AsyncDatabase``: scope, session, dispose."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import QueuePool

from shared_infrastructure.database.database import AsyncDatabase, Database


class Boom(Exception):
    pass


async def test_async_scope_sets_and_restores_the_current_session(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database
    assert not db.has_scope()
    async with db.scope() as outer:
        assert db.has_scope()
        assert db.session is outer
        async with db.scope() as inner:
            assert inner is not outer
            assert db.session is inner
        assert db.session is outer
    assert not db.has_scope()


async def test_async_implicit_session_outside_scope_is_stable_and_removable(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database
    implicit = db.session
    assert db.session is implicit
    assert (await implicit.execute(text("SELECT 1"))).scalar() == 1
    await db.remove()
    assert db.session is not implicit
    await db.remove()


async def test_async_scope_closes_its_session_even_on_error(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database
    opened: list[AsyncSession] = []

    async def work() -> None:
        async with db.scope() as session:
            opened.append(session)
            await session.execute(text("SELECT 1"))
            raise Boom

    with pytest.raises(Boom):
        await work()
    assert not opened[0].in_transaction()
    pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0


async def test_async_dispose_empties_the_pool(committing_database: AsyncDatabase) -> None:
    db = committing_database
    async with db.scope() as session:
        await session.execute(text("SELECT 1"))
    pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedin() >= 1
    await db.dispose()
    new_pool = db.engine.pool
    assert isinstance(new_pool, QueuePool)
    assert new_pool.checkedin() == 0


def test_sync_scope_session_and_implicit_session(committing_sync_database: Database) -> None:
    db = committing_sync_database
    implicit = db.session
    with db.scope() as scoped:
        assert db.session is scoped is not implicit
        with db.transaction():
            assert db.is_in_transaction()
            with db.savepoint():
                assert db.is_in_transaction()
    assert not db.is_in_transaction()
    assert db.session is implicit
    db.remove()
    assert db.session is not implicit


def test_sync_dispose_closes_the_implicit_session_and_the_pool(
    committing_sync_database: Database,
) -> None:
    db = committing_sync_database
    db.session.execute(text("SELECT 1"))
    implicit = db.session
    assert implicit.in_transaction()
    db.dispose()
    assert not implicit.in_transaction()
    pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0
