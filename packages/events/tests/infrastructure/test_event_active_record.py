"""Script usage: ``Event(...).save()`` inside and outside ``transaction()``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.domain import EventStatus
from events.infrastructure.active_record import Event
from events.infrastructure.mapper import EventMapper
from shared_infrastructure.database.database import Database
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.database.helpers import is_in_transaction, savepoint, transaction
from shared_infrastructure.domain import DomainRuleViolation

START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=4)

pytestmark = pytest.mark.usefixtures("default_sync_database")


def jazz(event_id: str = "ev_001", title: str = "Jazz Festival 2025", **extra: object) -> Event:
    fields: dict[str, object] = {
        "description": "Annual jazz festival",
        "starts_at": START,
        "ends_at": END,
        "capacity": 500,
    }
    fields.update(extra)
    return Event(id=event_id, title=title, **fields)


def stored_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Event.id).order_by(Event.id)))


def test_save_outside_a_transaction_commits_at_once(session: Session) -> None:
    event = jazz().save()

    assert not is_in_transaction()
    assert stored_ids(session) == ["ev_001"]
    assert event.version == 1
    assert event.status == EventStatus.DRAFT
    assert event.created is not None
    assert event.created == event.created_at


def test_inside_a_transaction_saves_commit_together(session: Session) -> None:
    with transaction():
        assert is_in_transaction()
        Event(id="ev_001", title="Event 1", starts_at=START, ends_at=END, capacity=10).save()
        Event(id="ev_002", title="Event 2", starts_at=START, ends_at=END, capacity=10).save()

    assert stored_ids(session) == ["ev_001", "ev_002"]


def test_a_failing_transaction_writes_nothing(session: Session) -> None:
    def save_two_then_fail() -> None:
        with transaction():
            jazz("ev_001").save()
            jazz("ev_002").save()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        save_two_then_fail()

    assert stored_ids(session) == []


def test_a_savepoint_rolls_back_alone(session: Session) -> None:
    def save_then_fail() -> None:
        with savepoint():
            jazz("ev_002").save()
            raise RuntimeError("undo only this one")

    with transaction():
        jazz("ev_001").save()
        with pytest.raises(RuntimeError):
            save_then_fail()

    assert stored_ids(session) == ["ev_001"]


def test_query_update_and_delete_like_the_seed(sync_database: Database) -> None:
    jazz().save()

    [event] = Event.session.query(Event).all()
    event.title = "Updated Title"
    event.save()
    assert event.version == 2
    assert Event.session.get(Event, "ev_001").title == "Updated Title"  # type: ignore[union-attr]

    event.delete()
    assert Event.session.query(Event).count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"starts_at": START.replace(tzinfo=None)}, "starts_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": None}, "capacity"),
        ({"title": " "}, "title"),
        ({"id": "Not A Slug"}, "id"),
        ({"status": "archived"}, None),
    ],
)
def test_bad_values_fail_with_the_domain_rule_and_write_nothing(
    session: Session, fields: dict[str, object], field: str | None
) -> None:
    event_id = str(fields.pop("id", "ev_001"))
    with pytest.raises((DomainRuleViolation, ValueError)) as error:
        jazz(event_id, **fields).save()

    if field is not None:
        assert isinstance(error.value, DomainRuleViolation)
        assert error.value.field == field
    Event.session.rollback()
    assert stored_ids(session) == []


def test_the_seed_one_liner_without_a_schedule_says_what_is_missing(session: Session) -> None:
    with pytest.raises(DomainRuleViolation, match="starts_at, ends_at, capacity"):
        Event(id="ev_001", title="Event 1").save()

    assert stored_ids(session) == []


def test_a_duplicate_id_is_a_conflict_naming_the_key(session: Session) -> None:
    jazz().save()

    with pytest.raises(IntegrityConflict) as error:
        jazz(title="Someone else's").save()

    assert error.value.constraint == "pk_events" or error.value.kind == "unique"
    assert Event.session.get(Event, "ev_001").title == "Jazz Festival 2025"  # type: ignore[union-attr]


def test_script_written_rows_load_as_valid_aggregates(session: Session) -> None:
    jazz(status="published", venue="  Parc de la Villette ").save()

    record = session.get(Event, "ev_001")
    assert record is not None
    aggregate = EventMapper().to_aggregate(record)

    assert aggregate.status is EventStatus.PUBLISHED
    assert aggregate.venue == "Parc de la Villette"
    assert aggregate.seats_available == 500
