"""``GET /events/{id}/registrations``: the registrations a page at a time,
and ``GET /events/{id}`` a fixed size however many there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)


async def published_event(client: httpx.AsyncClient, capacity: int = 50) -> None:
    created = await client.post(
        "/events",
        json={
            "id": "ev_001",
            "title": "Jazz",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=3)).isoformat(),
            "capacity": capacity,
        },
    )
    assert created.status_code == 201, created.text
    assert (await client.post("/events/ev_001/publish")).status_code == 200


async def register(client: httpx.AsyncClient, count: int, clock: Any) -> list[str]:
    ids = []
    for n in range(count):
        clock.now = datetime(2030, 1, 1, 12, n, tzinfo=UTC)
        response = await client.post(
            "/events/ev_001/registrations", json={"attendee_email": f"fan{n:02d}@example.org"}
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def test_pages_follow_next_cursor_oldest_first(client: httpx.AsyncClient, clock: Any) -> None:
    await published_event(client)
    ids = await register(client, 5, clock)

    first = (await client.get("/events/ev_001/registrations", params={"limit": 2})).json()
    second = (
        await client.get(
            "/events/ev_001/registrations", params={"limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    third = (
        await client.get(
            "/events/ev_001/registrations", params={"limit": 2, "cursor": second["next_cursor"]}
        )
    ).json()

    assert set(first) == {"items", "limit", "next_cursor"}
    assert [r["id"] for r in first["items"] + second["items"] + third["items"]] == ids
    assert third["next_cursor"] is None
    assert first["items"][0] == {
        "id": ids[0],
        "event_id": "ev_001",
        "attendee_email": "fan00@example.org",
        "seats": 1,
        "status": "confirmed",
        "registered_at": first["items"][0]["registered_at"],
        "cancelled_at": None,
    }


async def test_newest_first_and_by_status(client: httpx.AsyncClient, clock: Any) -> None:
    await published_event(client)
    ids = await register(client, 3, clock)

    newest = (
        await client.get("/events/ev_001/registrations", params={"sort": "-registered_at"})
    ).json()
    cancelled = (
        await client.get("/events/ev_001/registrations", params={"status": "cancelled"})
    ).json()

    assert [r["id"] for r in newest["items"]] == ids[::-1]
    assert cancelled["items"] == []


async def test_the_event_stays_the_same_size_whatever_its_registrations(
    client: httpx.AsyncClient, clock: Any
) -> None:
    await published_event(client)
    before = await client.get("/events/ev_001")
    await register(client, 20, clock)
    after = await client.get("/events/ev_001")

    event = after.json()
    assert set(event) == set(before.json())
    assert not any(isinstance(value, list) for value in event.values())
    # Only the counters' digits grew.
    assert len(after.content) - len(before.content) < 10
    assert (event["seats_taken"], event["registration_count"], event["seats_available"]) == (
        20,
        20,
        30,
    )


async def test_an_unknown_event_is_404(client: httpx.AsyncClient) -> None:
    for event_id in ("ev_missing", "Bad%20Id"):
        response = await client.get(f"/events/{event_id}/registrations")
        assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "many"},
        {"sort": "attendee_email"},
        {"status": "pending"},
        {"cursor": "not-a-cursor"},
        {"cursor": "x" * 2049},
        {"offset": 5},
        {"after": "x"},
    ],
    ids=[
        "limit-0",
        "limit-101",
        "limit-text",
        "sort",
        "status",
        "cursor",
        "cursor-too-long",
        "offset",
        "after",
    ],
)
async def test_bad_queries_are_422_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    await published_event(client)

    response = await client.get("/events/ev_001/registrations", params=params)

    assert response.status_code == 422, response.text
    assert f'"{next(iter(params))}"' in response.text
