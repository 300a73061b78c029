"""The measured operations: the same result three ways.

``hand`` is the SQLAlchemy a careful engineer writes by hand, ``ours`` is
``shared_infrastructure.database.repository``, ``aa`` is advanced-alchemy's
repository (its defaults). Each function receives a fresh session and the
sample's input (prepared outside the timing) and performs ``calls``
operations; writes are rolled back by the runner after the clock stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from advanced_alchemy.filters import LimitOffset, OrderBy
from advanced_alchemy.repository import SQLAlchemyAsyncRepository, SQLAlchemySyncRepository
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bench.models import BenchUser
from shared_infrastructure.database.repository import BaseRepository, SyncBaseRepository

PAGE = 50

AsyncFn = Callable[[AsyncSession, Any], Awaitable[Any]]
SyncFn = Callable[[Session, Any], Any]


class AAUserRepository(SQLAlchemyAsyncRepository[BenchUser]):
    model_type = BenchUser


class AASyncUserRepository(SQLAlchemySyncRepository[BenchUser]):
    model_type = BenchUser


def _renamed_rows(ids: list[int]) -> list[Any]:
    """advanced-alchemy's ``update_many`` takes row dicts at run time, though
    its annotation names model instances only."""
    return [{"id": i, "name": "renamed"} for i in ids]


@dataclass(frozen=True)
class Operation:
    name: str
    #: input of one sample: (calls, data)
    prepare: Callable[[int], tuple[int, Any]]
    hand: tuple[AsyncFn, SyncFn]
    ours: tuple[AsyncFn, SyncFn]
    aa: tuple[AsyncFn, SyncFn] | None
    #: ours / hand-written must stay at or below this (None: no target)
    target_hand: float | None = None
    #: ours / advanced-alchemy must stay at or below this
    target_aa: float | None = 1.0
    #: advanced-alchemy has no such API; its closest (named) is reused
    aa_reuses: str | None = None
    aa_label: str | None = None
    #: advanced-alchemy runs only ``--aa-bulk-rounds`` rounds (slow)
    aa_limited: bool = False
    bulk: bool = False


# -- get by id (identity-map miss: distinct ids, fresh session) -----------------


async def hand_get(session: AsyncSession, ids: Sequence[int]) -> None:
    for identifier in ids:
        await session.get(BenchUser, identifier)


async def ours_get(session: AsyncSession, ids: Sequence[int]) -> None:
    repo = BaseRepository(BenchUser, session)
    for identifier in ids:
        await repo.get(identifier)


async def aa_get(session: AsyncSession, ids: Sequence[int]) -> None:
    repo = AAUserRepository(session=session)
    for identifier in ids:
        await repo.get(identifier)


def hand_get_sync(session: Session, ids: Sequence[int]) -> None:
    for identifier in ids:
        session.get(BenchUser, identifier)


def ours_get_sync(session: Session, ids: Sequence[int]) -> None:
    repo = SyncBaseRepository(BenchUser, session)
    for identifier in ids:
        repo.get(identifier)


def aa_get_sync(session: Session, ids: Sequence[int]) -> None:
    repo = AASyncUserRepository(session=session)
    for identifier in ids:
        repo.get(identifier)


# -- one page of a filtered list ----------------------------------------------------


def _page(offset: int) -> Any:
    return (
        select(BenchUser)
        .where(BenchUser.is_active == True)  # noqa: E712
        .order_by(BenchUser.id)
        .offset(offset)
        .limit(PAGE)
    )


async def hand_page(session: AsyncSession, offsets: Sequence[int]) -> None:
    for offset in offsets:
        (await session.scalars(_page(offset))).all()


async def ours_page(session: AsyncSession, offsets: Sequence[int]) -> None:
    repo = BaseRepository(BenchUser, session)
    for offset in offsets:
        await repo.filter(is_active=True, skip=offset, limit=PAGE)


async def aa_page(session: AsyncSession, offsets: Sequence[int]) -> None:
    repo = AAUserRepository(session=session)
    for offset in offsets:
        await repo.list(LimitOffset(PAGE, offset), OrderBy("id", "asc"), is_active=True)


def hand_page_sync(session: Session, offsets: Sequence[int]) -> None:
    for offset in offsets:
        session.scalars(_page(offset)).all()


def ours_page_sync(session: Session, offsets: Sequence[int]) -> None:
    repo = SyncBaseRepository(BenchUser, session)
    for offset in offsets:
        repo.filter(is_active=True, skip=offset, limit=PAGE)


def aa_page_sync(session: Session, offsets: Sequence[int]) -> None:
    repo = AASyncUserRepository(session=session)
    for offset in offsets:
        repo.list(LimitOffset(PAGE, offset), OrderBy("id", "asc"), is_active=True)


# -- count ---------------------------------------------------------------------------


def _count() -> Any:
    return select(func.count()).select_from(BenchUser).where(BenchUser.is_active == True)  # noqa: E712


async def hand_count(session: AsyncSession, calls: int) -> None:
    for _ in range(calls):
        await session.scalar(_count())


async def ours_count(session: AsyncSession, calls: int) -> None:
    repo = BaseRepository(BenchUser, session)
    for _ in range(calls):
        await repo.count(is_active=True)


async def aa_count(session: AsyncSession, calls: int) -> None:
    repo = AAUserRepository(session=session)
    for _ in range(calls):
        await repo.count(is_active=True)


def hand_count_sync(session: Session, calls: int) -> None:
    for _ in range(calls):
        session.scalar(_count())


def ours_count_sync(session: Session, calls: int) -> None:
    repo = SyncBaseRepository(BenchUser, session)
    for _ in range(calls):
        repo.count(is_active=True)


def aa_count_sync(session: Session, calls: int) -> None:
    repo = AASyncUserRepository(session=session)
    for _ in range(calls):
        repo.count(is_active=True)


# -- create one ------------------------------------------------------------------------


async def hand_create(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    for row in rows:
        session.add(BenchUser(**row))
        await session.flush()


async def ours_create(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    repo = BaseRepository(BenchUser, session)
    for row in rows:
        await repo.create(**row)


async def aa_create(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    repo = AAUserRepository(session=session)
    for row in rows:
        await repo.add(BenchUser(**row))


def hand_create_sync(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    for row in rows:
        session.add(BenchUser(**row))
        session.flush()


def ours_create_sync(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    repo = SyncBaseRepository(BenchUser, session)
    for row in rows:
        repo.create(**row)


def aa_create_sync(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    repo = AASyncUserRepository(session=session)
    for row in rows:
        repo.add(BenchUser(**row))


# -- create_many (instances with ids back) --------------------------------------------


def _check_created(users: Sequence[BenchUser], rows: Sequence[dict[str, Any]]) -> None:
    if len(users) != len(rows) or users[-1].id is None:
        raise RuntimeError("create_many did not hand back every instance with its id")


async def hand_create_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    users = list(await session.scalars(insert(BenchUser).returning(BenchUser), rows))
    _check_created(users, rows)


async def ours_create_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    users = await BaseRepository(BenchUser, session).create_many(rows)
    _check_created(users, rows)


async def aa_create_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    users = await AAUserRepository(session=session).add_many([BenchUser(**r) for r in rows])
    _check_created(users, rows)


def hand_create_many_sync(session: Session, rows: list[dict[str, Any]]) -> None:
    users = list(session.scalars(insert(BenchUser).returning(BenchUser), rows))
    _check_created(users, rows)


def ours_create_many_sync(session: Session, rows: list[dict[str, Any]]) -> None:
    users = SyncBaseRepository(BenchUser, session).create_many(rows)
    _check_created(users, rows)


def aa_create_many_sync(session: Session, rows: list[dict[str, Any]]) -> None:
    users = AASyncUserRepository(session=session).add_many([BenchUser(**r) for r in rows])
    _check_created(users, rows)


# -- bulk insert, nothing back -------------------------------------------------------------


async def hand_insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(insert(BenchUser), rows)


async def ours_insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await BaseRepository(BenchUser, session).insert_many(rows)


def hand_insert_many_sync(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert(BenchUser), rows)


def ours_insert_many_sync(session: Session, rows: list[dict[str, Any]]) -> None:
    SyncBaseRepository(BenchUser, session).insert_many(rows)


# -- update_many / delete_many (by a list of ids) -----------------------------------------


async def hand_update_many(session: AsyncSession, ids: list[int]) -> None:
    statement = update(BenchUser).where(BenchUser.id.in_(ids)).values(name="renamed")
    await session.execute(statement)


async def ours_update_many(session: AsyncSession, ids: list[int]) -> None:
    await BaseRepository(BenchUser, session).update_many(filters={"id__in": ids}, name="renamed")


async def aa_update_many(session: AsyncSession, ids: list[int]) -> None:
    await AAUserRepository(session=session).update_many(_renamed_rows(ids))


def hand_update_many_sync(session: Session, ids: list[int]) -> None:
    session.execute(update(BenchUser).where(BenchUser.id.in_(ids)).values(name="renamed"))


def ours_update_many_sync(session: Session, ids: list[int]) -> None:
    SyncBaseRepository(BenchUser, session).update_many(filters={"id__in": ids}, name="renamed")


def aa_update_many_sync(session: Session, ids: list[int]) -> None:
    AASyncUserRepository(session=session).update_many(_renamed_rows(ids))


async def hand_delete_many(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(delete(BenchUser).where(BenchUser.id.in_(ids)))


async def ours_delete_many(session: AsyncSession, ids: list[int]) -> None:
    await BaseRepository(BenchUser, session).delete_many(id__in=ids)


async def aa_delete_many(session: AsyncSession, ids: list[int]) -> None:
    await AAUserRepository(session=session).delete_many(list[Any](ids))


def hand_delete_many_sync(session: Session, ids: list[int]) -> None:
    session.execute(delete(BenchUser).where(BenchUser.id.in_(ids)))


def ours_delete_many_sync(session: Session, ids: list[int]) -> None:
    SyncBaseRepository(BenchUser, session).delete_many(id__in=ids)


def aa_delete_many_sync(session: Session, ids: list[int]) -> None:
    AASyncUserRepository(session=session).delete_many(list[Any](ids))
