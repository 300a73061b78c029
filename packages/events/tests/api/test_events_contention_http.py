"""200 concurrent registrations for 50 seats, through the API, real commits.

Every request runs its own unit of work on its own pooled connection
(``database_factory``: a committing database, emptied afterwards), so this
is the race a busy box office would see. Expected: exactly 50 created,
every other request a 409 (full, or still contended after the retries),
no 5xx, and the rows agreeing with the aggregate.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from events.domain import Event
from events.infrastructure import EventRecord, RegistrationRecord, SqlAlchemyEventRepository
from shared_infrastructure.testing.plugin import AsgiClientFactory, DatabaseFactory

from .conftest import all_registrations

CAPACITY = 50
REQUESTS = 200
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize("middleware", [False, True], ids=["own-sessions", "request-scope"])
async def test_concurrent_registrations_never_overbook(
    database_factory: DatabaseFactory,
    asgi_client: AsgiClientFactory,
    app_factory: Callable[..., FastAPI],
    clock: Callable[[], datetime],
    middleware: bool,
) -> None:
    # Fewer connections than requests (servers cap connections); requests
    # queue for one rather than fail, hence the generous pool timeout.
    database = database_factory(
        database_pool_size=20, database_max_overflow=20, database_pool_timeout=120
    )
    async with asgi_client(app_factory(database, clock, middleware=middleware)) as client:
        created = await client.post(
            "/events",
            json={
                "id": "ev_rush",
                "title": "Sold-out night",
                "starts_at": START.isoformat(),
                "ends_at": (START + timedelta(hours=3)).isoformat(),
                "capacity": CAPACITY,
            },
        )
        assert created.status_code == 201, created.text
        assert (await client.post("/events/ev_rush/publish")).status_code == 200

        responses = await asyncio.gather(
            *(
                client.post(
                    "/events/ev_rush/registrations",
                    json={"attendee_email": f"fan{n:03d}@example.org"},
                )
                for n in range(REQUESTS)
            )
        )
        event = (await client.get("/events/ev_rush")).json()
        registrations = await all_registrations(client, "ev_rush")

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: CAPACITY, 409: REQUESTS - CAPACITY}, statuses
    refused = [r.json()["type"] for r in responses if r.status_code == 409]
    assert set(refused) <= {"/problems/conflict", "/problems/concurrency-conflict"}
    assert event["seats_taken"] == event["registration_count"] == CAPACITY
    assert len(registrations) == CAPACITY
    winners = {r.json()["attendee_email"] for r in responses if r.status_code == 201}
    assert {r["attendee_email"] for r in registrations} == winners

    async with database.session_factory() as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(RegistrationRecord)
            .where(RegistrationRecord.event_id == "ev_rush")
        )
        stored = await session.scalar(
            select(EventRecord.seats_taken).where(EventRecord.id == "ev_rush")
        )
    assert rows == stored == CAPACITY


async def test_without_the_row_lock_the_version_check_still_never_overbooks(
    database_factory: DatabaseFactory,
    asgi_client: AsgiClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    app_factory: Callable[..., FastAPI],
    clock: Callable[[], datetime],
    db_kind: str,
    request: pytest.FixtureRequest,
) -> None:
    """The lock only makes requests queue; correctness rests on the version
    column. With plain reads, racing writers fail the version check, are
    retried, and the losers get 409: fewer sales maybe, never too many."""

    async def plain_read(self: SqlAlchemyEventRepository, identifier: str) -> Event | None:
        return await self.get(identifier)

    monkeypatch.setattr(SqlAlchemyEventRepository, "get_for_update", plain_read)
    database = database_factory(
        database_pool_size=20, database_max_overflow=20, database_pool_timeout=120
    )
    async with asgi_client(app_factory(database, clock)) as client:
        await client.post(
            "/events",
            json={
                "id": "ev_race",
                "title": "Racy night",
                "starts_at": START.isoformat(),
                "ends_at": (START + timedelta(hours=3)).isoformat(),
                "capacity": 10,
            },
        )
        await client.post("/events/ev_race/publish")
        responses = await asyncio.gather(
            *(
                client.post(
                    "/events/ev_race/registrations",
                    json={"attendee_email": f"fan{n:03d}@example.org"},
                )
                for n in range(40)
            )
        )
        event = (await client.get("/events/ev_race")).json()
        registrations = await all_registrations(client, "ev_race")

    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert 1 <= statuses[201] <= 10
    assert event["seats_taken"] == statuses[201] == len(registrations)
    assert event["registration_count"] == statuses[201]
