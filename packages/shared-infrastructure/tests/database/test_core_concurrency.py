"""Requests never share a session: 50 tasks, each in its own ``scope()``,
keep their own session across awaits and never see another task's
uncommitted rows. Work a scope awaits through a helper task uses its
session; concurrent tasks inside it open scopes of their own; a finished
task's implicit session gives its connection back."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.testing.plugin import DatabaseFactory

TASKS = 50


class CoreConcurrentRow(Base):
    __tablename__ = "core_concurrent_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[int] = mapped_column(index=True)


async def test_concurrent_scopes_are_isolated(committing_database: AsyncDatabase) -> None:
    db = committing_database
    committing: set[int] = set()  # owners whose COMMIT may have started

    async def work(owner: int) -> None:
        async with db.scope() as session:
            session.add(CoreConcurrentRow(owner=owner))
            await session.flush()
            await asyncio.sleep(0)
            assert db.session is session
            visible = set(await session.scalars(select(CoreConcurrentRow.owner)))
            uncommitted_others = visible - committing - {owner}
            assert not uncommitted_others, f"task {owner} saw {uncommitted_others}"
            assert owner in visible
            await asyncio.sleep(0)
            assert db.session is session
            committing.add(owner)
            await session.commit()
        assert not db.has_scope()

    await asyncio.gather(*(work(owner) for owner in range(TASKS)))
    async with db.scope() as session:
        total = await session.scalar(select(func.count()).select_from(CoreConcurrentRow))
    assert total == TASKS


async def test_rolled_back_scopes_leave_no_trace_among_committed_ones(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database

    async def work(owner: int) -> None:
        async with db.scope() as session:
            session.add(CoreConcurrentRow(owner=owner))
            await session.flush()
            await asyncio.sleep(0)
            if owner % 2:
                await session.rollback()
            else:
                await session.commit()

    await asyncio.gather(*(work(owner) for owner in range(TASKS)))
    async with db.scope() as session:
        owners = set(await session.scalars(select(CoreConcurrentRow.owner)))
    assert owners == set(range(0, TASKS, 2))


async def test_work_a_scope_awaits_through_a_helper_task_uses_its_session(
    committing_database: AsyncDatabase,
) -> None:
    """``asyncio.wait_for`` runs its coroutine in a task of its own (Python
    3.11): it must still read the request's uncommitted writes."""
    db = committing_database

    async def count() -> int | None:
        return await db.session.scalar(select(func.count()).select_from(CoreConcurrentRow))

    async with db.scope() as session:
        session.add(CoreConcurrentRow(owner=1))
        await session.flush()
        assert await asyncio.wait_for(count(), timeout=30) == 1
        await session.rollback()


async def test_concurrent_tasks_inside_a_scope_open_scopes_of_their_own(
    committing_database: AsyncDatabase,
) -> None:
    db = committing_database

    async def work(owner: int) -> AsyncSession:
        async with db.scope() as session:
            session.add(CoreConcurrentRow(owner=owner))
            await session.flush()
            await asyncio.sleep(0)
            await session.commit()
            return session

    async with db.scope() as request_session:
        sessions = await asyncio.gather(*(work(owner) for owner in range(5)))
        assert db.session is request_session
    assert len({id(s) for s in sessions} | {id(request_session)}) == 6
    async with db.scope() as session:
        total = await session.scalar(select(func.count()).select_from(CoreConcurrentRow))
    assert total == 5


async def test_the_implicit_session_of_a_finished_task_is_closed(
    database_factory: DatabaseFactory,
) -> None:
    """One connection in the pool: were the sessions of finished tasks kept
    open, the third task would wait for the pool and time out."""
    db = database_factory(database_pool_size=1, database_max_overflow=0, database_pool_timeout=2)

    async def read() -> int | None:
        return await db.session.scalar(select(func.count()).select_from(CoreConcurrentRow))

    for _ in range(3):
        assert await asyncio.create_task(read()) == 0
    for _ in range(200):  # the last close runs as a task of its own
        if db.engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.01)
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
