"""Registrations are read a page at a time, by keyset, never all at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from events.application import CreateEvent, EventService, ListRegistrations
from events.domain import RegistrationStatus
from shared_infrastructure.domain import InvalidQuery, NotFound

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
async def five_attendees(service: EventService, clock: Any) -> list[str]:
    await service.create_event(
        CreateEvent(
            id="ev_001",
            title="Jazz",
            starts_at=START,
            ends_at=START + timedelta(hours=2),
            capacity=10,
        )
    )
    await service.publish("ev_001")
    ids = []
    for n in range(5):
        clock.now = NOW + timedelta(minutes=n)
        ids.append((await service.register_attendee("ev_001", f"fan{n}@example.org")).id)
    return ids


async def test_pages_follow_the_cursor_oldest_first(
    service: EventService, five_attendees: list[str]
) -> None:
    first = await service.list_registrations("ev_001", ListRegistrations(limit=2))
    second = await service.list_registrations(
        "ev_001", ListRegistrations(limit=2, cursor=first.next_cursor)
    )
    last = await service.list_registrations(
        "ev_001", ListRegistrations(limit=2, cursor=second.next_cursor)
    )

    assert [r.id for r in first.items + second.items + last.items] == five_attendees
    assert last.next_cursor is None
    assert first.total is None  # counting a million rows per page is what this avoids


async def test_newest_first_and_by_status(service: EventService, five_attendees: list[str]) -> None:
    newest = await service.list_registrations("ev_001", ListRegistrations(sort="-registered_at"))
    await service.cancel("ev_001")
    cancelled = await service.list_registrations(
        "ev_001", ListRegistrations(status=RegistrationStatus.CANCELLED)
    )
    confirmed = await service.list_registrations(
        "ev_001", ListRegistrations(status=RegistrationStatus.CONFIRMED)
    )

    assert [r.id for r in newest.items] == five_attendees[::-1]
    assert len(cancelled.items) == 5
    assert confirmed.items == []


async def test_only_this_events_registrations(
    service: EventService, five_attendees: list[str]
) -> None:
    await service.create_event(
        CreateEvent(
            id="ev_002",
            title="Rock",
            starts_at=START,
            ends_at=START + timedelta(hours=2),
            capacity=10,
        )
    )
    await service.publish("ev_002")
    await service.register_attendee("ev_002", "fan0@example.org")

    page = await service.list_registrations("ev_001")

    assert [r.id for r in page.items] == five_attendees
    assert {r.event_id for r in page.items} == {"ev_001"}


@pytest.mark.parametrize("event_id", ["ev_missing", "a\x00b", "Bad Id"])
async def test_an_unknown_event_is_not_found(service: EventService, event_id: str) -> None:
    with pytest.raises(NotFound):
        await service.list_registrations(event_id)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ListRegistrations(limit=0), "limit"),
        (ListRegistrations(limit=101), "limit"),
        (ListRegistrations(sort="attendee_email"), "sort"),
        (ListRegistrations(cursor="not a cursor"), None),
    ],
)
async def test_bad_queries_are_refused(
    service: EventService, five_attendees: list[str], query: ListRegistrations, field: str | None
) -> None:
    with pytest.raises(InvalidQuery) as error:
        await service.list_registrations("ev_001", query)

    if field is not None:
        assert error.value.field == field
