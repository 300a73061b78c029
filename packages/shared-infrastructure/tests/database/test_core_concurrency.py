"""50 concurrent tasks, each in its own ``scope()``: every task keeps its own
session across awaits and never sees another task's uncommitted rows."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase

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
