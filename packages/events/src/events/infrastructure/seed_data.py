"""Sample events for a fresh database (``uv run api`` on the embedded default).

Idempotent: events that already exist (by id) are left untouched, so it is
safe to run at every start and never overwrites edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.infrastructure.records import EventRecord
from shared_infrastructure.database.database import Database
from shared_infrastructure.database.defaults import get_database

_PARIS = ZoneInfo("Europe/Paris")


def _at(day: date, days_ahead: int, hour: int) -> datetime:
    when = day + timedelta(days=days_ahead)
    return datetime(when.year, when.month, when.day, hour, 0, tzinfo=_PARIS)


def sample_events(today: date | None = None) -> tuple[Mapping[str, Any], ...]:
    """The sample events, dated from ``today`` (default: the current date):
    published ones are upcoming, so registering to them works whenever the
    database is seeded."""
    day = today or datetime.now(_PARIS).date()
    jazz = _at(day, 30, 18)
    rock = _at(day, 120, 20)
    folk = _at(day, 180, 19)
    return (
        {
            "id": "ev_001",
            "title": f"Jazz Festival {jazz.year}",
            "description": "Annual jazz festival",
            "venue": "Parc de la Villette, Paris",
            "starts_at": jazz,
            "ends_at": jazz + timedelta(days=2, hours=5),
            "capacity": 5000,
            "status": "published",
        },
        {
            "id": "ev_002",
            "title": f"Autumn Rock Night {rock.year}",
            "description": "Three bands, one night",
            "venue": "Le Trianon, Paris",
            "starts_at": rock,
            "ends_at": rock + timedelta(hours=5),
            "capacity": 800,
            "status": "published",
        },
        {
            "id": "ev_003",
            "title": f"Winter Folk Gathering {folk.year}",
            "description": "Programme to be announced",
            "venue": "",
            "starts_at": folk,
            "ends_at": folk + timedelta(hours=4),
            "capacity": 150,
            "status": "draft",
        },
    )


SEED_EVENTS = sample_events()
"""The sample events as of import; their ids never change."""


def seed_events(
    database: Database | None = None, events: Iterable[Mapping[str, Any]] | None = None
) -> list[str]:
    """Insert the missing ``events`` (default: :func:`sample_events` as of
    today) in one transaction; return the ids inserted.

    ``database`` defaults to the process-wide sync database (settings).
    """
    database = database or get_database()
    events = sample_events() if events is None else events
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
