"""Mixins on real databases: soft-deleted rows are hidden unless asked for,
``updated_at`` moves on update, timestamps come back timezone-aware."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin
from shared_infrastructure.database.sessions import INCLUDE_DELETED


class CoreSoftItem(SoftDeleteMixin, TimestampMixin, Base):
    __tablename__ = "core_soft_items"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))


def _seed(session: Session) -> tuple[CoreSoftItem, CoreSoftItem]:
    kept, gone = CoreSoftItem(id=1, name="kept"), CoreSoftItem(id=2, name="gone")
    session.add_all([kept, gone])
    session.flush()
    gone.soft_delete()
    session.flush()
    session.expunge_all()
    return kept, gone


def test_soft_deleted_rows_are_hidden_from_queries(session: Session) -> None:
    _seed(session)
    assert list(session.scalars(select(CoreSoftItem.name))) == ["kept"]
    assert session.scalar(select(func.count(CoreSoftItem.id))) == 1
    assert session.get(CoreSoftItem, 2) is None


def test_soft_deleted_rows_can_be_fetched_on_request(session: Session) -> None:
    _seed(session)
    everything = select(CoreSoftItem).execution_options(**{INCLUDE_DELETED: True})
    assert sorted(item.name for item in session.scalars(everything)) == ["gone", "kept"]
    deleted = select(CoreSoftItem).where(CoreSoftItem.is_deleted)
    found = session.scalars(deleted.execution_options(include_deleted=True)).one()
    assert (found.name, found.is_deleted) == ("gone", True)
    assert found.deleted_at is not None
    assert found.deleted_at.tzinfo is not None
    fetched = session.get(CoreSoftItem, 2, execution_options={INCLUDE_DELETED: True})
    assert fetched is found


def test_restore_makes_a_row_visible_again(session: Session) -> None:
    _seed(session)
    gone = session.get(CoreSoftItem, 2, execution_options={INCLUDE_DELETED: True})
    assert gone is not None
    gone.restore()
    session.flush()
    session.expunge_all()
    assert sorted(session.scalars(select(CoreSoftItem.name))) == ["gone", "kept"]


def test_bulk_updates_skip_soft_deleted_rows(session: Session) -> None:
    _seed(session)
    result = session.execute(update(CoreSoftItem).values(name="renamed"))
    assert result.rowcount == 1  # type: ignore[attr-defined]


async def test_async_sessions_hide_soft_deleted_rows_too(async_session: AsyncSession) -> None:
    async_session.add_all([CoreSoftItem(id=1, name="kept"), CoreSoftItem(id=2, name="gone")])
    await async_session.flush()
    gone = await async_session.get(CoreSoftItem, 2)
    assert gone is not None
    gone.soft_delete()
    await async_session.flush()
    async_session.expunge_all()
    assert list(await async_session.scalars(select(CoreSoftItem.name))) == ["kept"]
    everything = select(CoreSoftItem.name).execution_options(include_deleted=True)
    assert sorted(await async_session.scalars(everything)) == ["gone", "kept"]


def test_updated_at_moves_on_update_and_created_at_stays(session: Session) -> None:
    item = CoreSoftItem(id=1, name="first")
    session.add(item)
    session.flush()
    created, updated = item.created_at, item.updated_at
    time.sleep(0.002)  # utcnow has microsecond resolution; make the step visible
    item.name = "second"
    session.flush()
    session.expire(item)
    assert item.created_at == created
    assert item.updated_at > updated


def test_a_new_row_was_updated_when_it_was_created(session: Session) -> None:
    single = CoreSoftItem(id=1, name="single")
    session.add(single)
    session.flush()
    session.execute(insert(CoreSoftItem), [{"id": n, "name": f"bulk {n}"} for n in (2, 3, 4)])
    session.expunge_all()
    rows = session.execute(select(CoreSoftItem.created_at, CoreSoftItem.updated_at)).all()
    assert len(rows) == 4
    assert all(created == updated for created, updated in rows)


def test_created_at_computed_by_the_database_still_gives_an_updated_at(
    session: Session,
) -> None:
    session.execute(insert(CoreSoftItem).values(id=9, name="server-side", created_at=func.now()))
    row = session.execute(select(CoreSoftItem.created_at, CoreSoftItem.updated_at)).one()
    assert row.created_at is not None
    assert row.updated_at is not None


def test_timestamps_come_back_timezone_aware_utc(session: Session) -> None:
    before = datetime.now(UTC)
    session.add(CoreSoftItem(id=1, name="x"))
    session.flush()
    session.expunge_all()
    item = session.get(CoreSoftItem, 1)
    assert item is not None
    assert item.created_at.tzinfo is not None
    assert item.created_at.utcoffset() == UTC.utcoffset(None)
    assert abs((item.created_at - before).total_seconds()) < 60


def test_naive_datetimes_are_read_as_utc_by_default(session: Session) -> None:
    session.add(CoreSoftItem(id=1, name="x", created_at=datetime(2030, 1, 1, 12)))
    session.flush()
    session.expire_all()
    item = session.get(CoreSoftItem, 1)
    assert item is not None
    assert item.created_at == datetime(2030, 1, 1, 12, tzinfo=UTC)


def test_naive_datetimes_are_read_in_the_configured_zone(db_url: URL) -> None:
    from shared_infrastructure.config import load_settings
    from shared_infrastructure.database.engine import create_sync_engine

    settings = load_settings(
        database_url=db_url.render_as_string(hide_password=False), timezone="Europe/Paris"
    )
    engine = create_sync_engine(settings)
    try:
        with engine.connect() as connection:
            table = CoreSoftItem.__table__
            noon = datetime(2030, 1, 1, 12)
            connection.execute(
                insert(table).values(id=1, name="x", created_at=noon, updated_at=noon)
            )
            stored = connection.execute(select(table.c.created_at)).scalar_one()
            connection.rollback()
    finally:
        engine.dispose()
    assert stored == datetime(2030, 1, 1, 11, tzinfo=UTC)  # noon in Paris, winter time
    assert stored.tzinfo is not None


def test_a_value_that_is_no_datetime_is_refused(session: Session) -> None:
    session.add(CoreSoftItem(id=1, name="x", created_at="2030-01-01"))  # type: ignore[arg-type]
    with pytest.raises(sa_exc.StatementError, match="is not a datetime"):
        session.flush()
