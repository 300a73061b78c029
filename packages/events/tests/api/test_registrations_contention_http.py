"""Registrations as rows of their own, under contention, with real commits.

The event row holds the counters (``seats_taken``, ``registration_count``)
and every registration or cancellation updates them under the row lock and
the version check; the rows are inserted and deleted one by one. Whatever
the interleaving, the counters must equal what the rows say.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from events.infrastructure import EventRecord, RegistrationRecord
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.testing.plugin import AsgiClientFactory, DatabaseFactory

START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)


def pooled(database_factory: DatabaseFactory) -> AsyncDatabase:
    return database_factory(
        database_pool_size=20, database_max_overflow=20, database_pool_timeout=120
    )


async def published_event(client: httpx.AsyncClient, event_id: str, capacity: int) -> None:
    created = await client.post(
        "/events",
        json={
            "id": event_id,
            "title": "Busy night",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=3)).isoformat(),
            "capacity": capacity,
        },
    )
    assert created.status_code == 201, created.text
    assert (await client.post(f"/events/{event_id}/publish")).status_code == 200


async def register(
    client: httpx.AsyncClient, event_id: str, email: str, seats: int = 1
) -> httpx.Response:
    return await client.post(
        f"/events/{event_id}/registrations", json={"attendee_email": email, "seats": seats}
    )


async def rows_agree_with_counters(database: AsyncDatabase, event_id: str) -> tuple[int, int]:
    """(seats, registrations) of the confirmed rows, checked against the event row."""
    async with database.session_factory() as session:
        confirmed = (
            await session.execute(
                select(func.coalesce(func.sum(RegistrationRecord.seats), 0), func.count()).where(
                    RegistrationRecord.event_id == event_id,
                    RegistrationRecord.status == "confirmed",
                )
            )
        ).one()
        counters = (
            await session.execute(
                select(
                    EventRecord.seats_taken, EventRecord.registration_count, EventRecord.capacity
                ).where(EventRecord.id == event_id)
            )
        ).one()
    seats, count = int(confirmed[0]), int(confirmed[1])
    assert (counters[0], counters[1]) == (seats, count)
    assert seats <= counters[2]
    return seats, count


@pytest.mark.parametrize("middleware", [False, True], ids=["own-sessions", "request-scope"])
async def test_registrations_and_cancellations_racing_keep_the_counters_true(
    database_factory: DatabaseFactory,
    asgi_client: AsgiClientFactory,
    app_factory: Callable[..., FastAPI],
    clock: Callable[[], datetime],
    middleware: bool,
) -> None:
    database = pooled(database_factory)
    async with asgi_client(app_factory(database, clock, middleware=middleware)) as client:
        await published_event(client, "ev_mix", capacity=30)
        early = [
            (await register(client, "ev_mix", f"early{n:02d}@example.org", 2)).json()
            for n in range(10)
        ]
        leaving = early[:6]

        responses = await asyncio.gather(
            *(client.delete(f"/events/ev_mix/registrations/{r['id']}") for r in leaving),
            *(register(client, "ev_mix", f"late{n:02d}@example.org", 1) for n in range(40)),
        )

    cancellations, registrations = responses[: len(leaving)], responses[len(leaving) :]
    assert {r.status_code for r in cancellations} == {204}
    statuses = Counter(r.status_code for r in registrations)
    assert set(statuses) <= {201, 409}, statuses
    seats, count = await rows_agree_with_counters(database, "ev_mix")
    # 4 early pairs stay; late singles fill the rest, never beyond capacity.
    assert count == 4 + statuses[201]
    assert seats == 8 + statuses[201] <= 30


async def test_one_attendee_racing_themself_gets_one_registration(
    database_factory: DatabaseFactory,
    asgi_client: AsgiClientFactory,
    app_factory: Callable[..., FastAPI],
    clock: Callable[[], datetime],
) -> None:
    database = pooled(database_factory)
    async with asgi_client(app_factory(database, clock)) as client:
        await published_event(client, "ev_twice", capacity=50)

        responses = await asyncio.gather(
            *(register(client, "ev_twice", "Same@Example.org") for _ in range(20))
        )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 19}, statuses
    assert await rows_agree_with_counters(database, "ev_twice") == (1, 1)


async def test_no_confirmed_registration_outlives_a_cancelled_event(
    database_factory: DatabaseFactory,
    asgi_client: AsgiClientFactory,
    app_factory: Callable[..., FastAPI],
    clock: Callable[[], datetime],
) -> None:
    """The cancel and the registrations queue on the event row: a
    registration lands before the cancel (and is cancelled with it) or is
    refused after it, never confirmed on a cancelled event."""
    database = pooled(database_factory)
    async with asgi_client(app_factory(database, clock)) as client:
        await published_event(client, "ev_off", capacity=100)
        registrations = [register(client, "ev_off", f"fan{n:02d}@example.org") for n in range(30)]
        responses = await asyncio.gather(
            *registrations[:15],
            client.post("/events/ev_off/cancel"),
            *registrations[15:],
        )
        event = (await client.get("/events/ev_off")).json()

    cancel = responses[15]
    assert cancel.status_code == 200, cancel.text
    assert event["status"] == "cancelled"
    assert await rows_agree_with_counters(database, "ev_off") == (0, 0)
    assert {r.status_code for r in responses[:15] + responses[16:]} <= {201, 409}
    created = sum(1 for r in responses if r.status_code == 201)
    async with database.session_factory() as session:
        stored = await session.scalar(
            select(func.count()).where(RegistrationRecord.event_id == "ev_off")
        )
    # Every registration that succeeded is kept, cancelled with the event.
    assert stored == created
