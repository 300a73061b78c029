"""The active record: ``save()``/``delete()`` commit outside a
``transaction()`` block and only flush inside one; ``Model.session``."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.database.active_record import BaseModel
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.database.helpers import savepoint, transaction
from shared_infrastructure.database.mixins import SoftDeleteMixin
from shared_infrastructure.database.sessions import INCLUDE_DELETED

Defaults = tuple[AsyncDatabase, Database]


class CoreArEvent(BaseModel):
    __tablename__ = "core_ar_events"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(200), default=None)


class CoreArNote(SoftDeleteMixin, BaseModel):
    __tablename__ = "core_ar_notes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(100))


class Boom(Exception):
    pass


def _save_then_fail(*records: BaseModel) -> None:
    for record in records:
        record.save()
    raise Boom


def _stored_ids(database: Database) -> list[str]:
    """What another session sees: only committed rows."""
    with database.scope() as session:
        return list(session.scalars(select(CoreArEvent.id).order_by(CoreArEvent.id)))


def test_base_model_is_abstract() -> None:
    assert BaseModel.__abstract__ is True
    assert not hasattr(BaseModel, "__table__")


def test_save_outside_a_transaction_commits(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    event = CoreArEvent(id="ev_001", title="Jazz Festival 2025", description="Annual").save()
    assert isinstance(event, CoreArEvent)
    assert not event.is_in_transaction
    assert _stored_ids(sync_db) == ["ev_001"]
    assert CoreArEvent.session.query(CoreArEvent).all() == [event]


def test_update_and_delete_outside_a_transaction(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    event = CoreArEvent(id="ev_001", title="Jazz").save()
    updated = event.updated
    time.sleep(0.002)
    event.title = "Updated Title"
    event.save()
    assert event.updated > updated
    with sync_db.scope() as other:
        assert other.scalar(select(CoreArEvent.title)) == "Updated Title"
    event.delete()
    assert _stored_ids(sync_db) == []


def test_created_and_updated_are_synonyms(committing_defaults: Defaults) -> None:
    event = CoreArEvent(id="ev_001", title="Jazz").save()
    assert event.created == event.created_at
    assert event.updated == event.updated_at
    found = CoreArEvent.session.scalars(
        select(CoreArEvent).where(CoreArEvent.created <= event.created_at)
    ).one()
    assert found is event


def test_saves_inside_a_transaction_commit_together(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    with transaction():
        first = CoreArEvent(id="ev_001", title="Event 1").save()
        assert first.is_in_transaction
        CoreArEvent(id="ev_002", title="Event 2").save()
    assert _stored_ids(sync_db) == ["ev_001", "ev_002"]


def test_saves_inside_a_failed_transaction_are_rolled_back(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    with pytest.raises(Boom), transaction():
        _save_then_fail(CoreArEvent(id="ev_001", title="1"), CoreArEvent(id="ev_002", title="2"))
    assert _stored_ids(sync_db) == []


def test_savepoint_inside_a_transaction(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    with transaction():
        CoreArEvent(id="ev_001", title="Event 1").save()
        with pytest.raises(Boom), savepoint():
            _save_then_fail(CoreArEvent(id="ev_002", title="Event 2"))
    assert _stored_ids(sync_db) == ["ev_001"]


def test_delete_inside_a_transaction_only_flushes(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    event = CoreArEvent(id="ev_001", title="Event 1").save()

    def delete_then_fail() -> None:
        event.delete()
        assert CoreArEvent.session.get(CoreArEvent, "ev_001") is None
        raise Boom

    with pytest.raises(Boom), transaction():
        delete_then_fail()
    assert _stored_ids(sync_db) == ["ev_001"]


def test_a_failing_save_raises_the_named_conflict_and_changes_nothing(
    committing_defaults: Defaults,
) -> None:
    _, sync_db = committing_defaults
    CoreArEvent(id="ev_001", title="Same").save()
    with pytest.raises(IntegrityConflict) as caught:
        CoreArEvent(id="ev_002", title="Same").save()
    assert caught.value.constraint == "uq_core_ar_events_title"
    assert _stored_ids(sync_db) == ["ev_001"]
    CoreArEvent(id="ev_003", title="Other").save()  # the session recovered
    assert _stored_ids(sync_db) == ["ev_001", "ev_003"]


def test_session_on_class_and_instance_is_the_current_one(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    assert CoreArEvent.session is sync_db.session
    event = CoreArEvent(id="ev_001", title="x")
    assert event.session is CoreArEvent.session
    with sync_db.scope() as scoped:
        assert CoreArEvent.session is scoped
        CoreArEvent(id="ev_002", title="y").save()  # committed in the scope's session
    assert "ev_002" in _stored_ids(sync_db)


def test_soft_deletable_records_are_marked_unless_hard(committing_defaults: Defaults) -> None:
    note = CoreArNote(id=1, text="keep me around").save()
    note.delete()
    assert note.is_deleted
    session = CoreArNote.session
    session.expunge_all()
    assert session.scalars(select(CoreArNote)).all() == []
    marked = session.get(CoreArNote, 1, execution_options={INCLUDE_DELETED: True})
    assert marked is not None
    marked.delete(hard=True)
    session.expunge_all()
    assert session.scalars(select(CoreArNote).execution_options(include_deleted=True)).all() == []
