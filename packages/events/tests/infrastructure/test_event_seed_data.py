"""``seed_events`` fills a fresh database once and never overwrites."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.domain import EventStatus
from events.infrastructure import EventRecord
from events.infrastructure.mapper import EventMapper
from events.infrastructure.seed_data import SEED_EVENTS, seed_events
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
    assert titles["ev_002"] == "Autumn Rock Night 2027"


def test_the_seeded_jazz_festival_is_a_valid_aggregate(
    sync_database: Database, session: Session
) -> None:
    seed_events(sync_database)

    record = session.get(EventRecord, "ev_001")
    assert record is not None
    event = EventMapper().to_aggregate(record)

    assert (event.title, event.description) == ("Jazz Festival 2025", "Annual jazz festival")
    assert event.status is EventStatus.PUBLISHED
    assert event.starts_at.tzinfo is not None
