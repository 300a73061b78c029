"""``seed_events`` fills a fresh database once and never overwrites."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.domain import EventStatus
from events.infrastructure import EventRecord
from events.infrastructure.mapper import EventMapper
from events.infrastructure.seed_data import SEED_EVENTS, sample_events, seed_events
from shared_infrastructure.database.database import Database


def test_seeds_once_then_leaves_existing_rows_alone(
    sync_database: Database, session: Session
) -> None:
    first = seed_events(sync_database)
    jazz = session.get(EventRecord, "ev_001")
    assert jazz is not None
    jazz.title = "Edited by an admin"
    session.commit()

    second = seed_events(sync_database)

    assert first == [fields["id"] for fields in SEED_EVENTS]
    assert second == []
    session.expire_all()
    titles = dict(session.execute(select(EventRecord.id, EventRecord.title)).all())
    assert titles["ev_001"] == "Edited by an admin"
    assert titles["ev_002"] == SEED_EVENTS[1]["title"]


def test_the_seeded_jazz_festival_is_a_valid_aggregate(
    sync_database: Database, session: Session
) -> None:
    seed_events(sync_database)

    record = session.get(EventRecord, "ev_001")
    assert record is not None
    event = EventMapper().to_aggregate(record)

    assert (event.title, event.description) == (SEED_EVENTS[0]["title"], "Annual jazz festival")
    assert event.status is EventStatus.PUBLISHED
    assert event.starts_at.tzinfo is not None


def test_published_samples_are_upcoming_so_registering_works() -> None:
    now = datetime.now(UTC)
    for fields in sample_events():
        assert fields["starts_at"] > now
        assert fields["ends_at"] > fields["starts_at"]
    dated = sample_events(date(2031, 3, 1))
    assert dated[0]["starts_at"].date() == date(2031, 3, 31)
    assert dated[0]["title"] == "Jazz Festival 2031"
