"""Sample events for a fresh database (``uv run api`` on the embedded default).

Idempotent: events that already exist (by id) are left untouched, so it is
safe to run at every start and never overwrites edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from events.infrastructure.records import EventRecord
from shared_infrastructure.database.database import Database
from shared_infrastructure.database.defaults import get_database

_PARIS = ZoneInfo("Europe/Paris")

SEED_EVENTS: tuple[Mapping[str, Any], ...] = (
    {
        "id": "ev_001",
        "title": "Jazz Festival 2025",
        "description": "Annual jazz festival",
        "venue": "Parc de la Villette, Paris",
        "starts_at": datetime(2025, 7, 4, 18, 0, tzinfo=_PARIS),
        "ends_at": datetime(2025, 7, 6, 23, 0, tzinfo=_PARIS),
        "capacity": 5000,
        "status": "published",
    },
    {
        "id": "ev_002",
        "title": "Autumn Rock Night 2027",
        "description": "Three bands, one night",
        "venue": "Le Trianon, Paris",
        "starts_at": datetime(2027, 10, 15, 20, 0, tzinfo=_PARIS),
        "ends_at": datetime(2027, 10, 16, 1, 0, tzinfo=_PARIS),
        "capacity": 800,
        "status": "published",
    },
    {
        "id": "ev_003",
        "title": "Winter Folk Gathering 2027",
        "description": "Programme to be announced",
        "venue": "",
        "starts_at": datetime(2027, 12, 10, 19, 0, tzinfo=_PARIS),
        "ends_at": datetime(2027, 12, 10, 23, 0, tzinfo=_PARIS),
        "capacity": 150,
        "status": "draft",
    },
)


def seed_events(
    database: Database | None = None, events: Iterable[Mapping[str, Any]] = SEED_EVENTS
) -> list[str]:
    """Insert the missing ``events`` in one transaction; return the ids inserted.

    ``database`` defaults to the process-wide sync database (settings).
    """
    database = database or get_database()
    inserted: list[str] = []
    with database.scope() as session, database.transaction():
        for fields in events:
            if session.get(EventRecord, fields["id"]) is not None:
                continue
            record = EventRecord(**fields)
            session.add(record)
            record.save()  # the field rules of scripts; flushes inside the block
            inserted.append(record.id)
    return inserted
