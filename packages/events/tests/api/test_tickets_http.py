"""Tickets over HTTP on the events app alone: the catalog's events are
delivered to the subscription handlers as a relay would, on the real database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from events.application import ticket_product_subscriptions
from events.infrastructure import SqlAlchemyEventsUnitOfWork
from shared_infrastructure.application.integration_events import IntegrationEvent, JsonValue
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.testing.plugin import AsgiClientFactory

from .conftest import MovableClock, build_app

START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class Catalog:
    """Plays the catalog and the relay: publishes the contract's events to
    this context's subscriptions, in order."""

    def __init__(self, database: AsyncDatabase) -> None:
        self._subscriptions = ticket_product_subscriptions(
            lambda: SqlAlchemyEventsUnitOfWork(database)
        )
        self._ticks = 0

    async def tell(
        self, name: str, code: str = "PASS001", *, amount: str = "25.00", on_sale: bool
    ) -> None:
        self._ticks += 1
        payload: dict[str, JsonValue] = {"code": code, "on_sale": on_sale}
        if name != "product.deleted":
            payload["price"] = {"amount": amount, "currency": "EUR"}
        event = IntegrationEvent(
            source="product_catalog",
            name=name,
            version=1,
            aggregate_key=code,
            payload=payload,
            occurred_at=T0 + timedelta(seconds=self._ticks),
        )
        for subscription in self._subscriptions:
            if subscription.matches(event):
                await subscription.handler(event)


@pytest.fixture
async def client(
    database: AsyncDatabase, clock: MovableClock, asgi_client: AsgiClientFactory
) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build_app(database, clock, middleware=True)) as http:
        yield http


@pytest.fixture
def catalog(database: AsyncDatabase) -> Catalog:
    return Catalog(database)


async def ticketed(client: httpx.AsyncClient, code: str | None = "PASS001") -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "ev_jazz",
        "title": "Jazz night",
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(hours=3)).isoformat(),
        "capacity": 10,
    }
    if code is not None:
        body["ticket_product_code"] = code
    created = await client.post("/events", json=body)
    assert created.status_code == 201, created.text
    published = await client.post("/events/ev_jazz/publish")
    assert published.status_code == 200, published.text
    return dict(published.json())


async def ticket(client: httpx.AsyncClient) -> Any:
    response = await client.get("/events/ev_jazz")
    assert response.status_code == 200, response.text
    return response.json()["ticket"]


async def register(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/events/ev_jazz/registrations", json={"attendee_email": email})


async def test_the_ticket_follows_the_catalog(client: httpx.AsyncClient, catalog: Catalog) -> None:
    created = await ticketed(client)
    assert created["ticket"] == {"product_code": "PASS001", "price": None, "on_sale": False}

    await catalog.tell("product.created", on_sale=False)
    assert await ticket(client) == {
        "product_code": "PASS001",
        "price": {"amount": "25.00", "currency": "EUR"},
        "on_sale": False,
    }
    await catalog.tell("product.activated", on_sale=True)
    assert (await ticket(client))["on_sale"] is True
    await catalog.tell("product.price_changed", amount="30.00", on_sale=True)
    assert (await ticket(client))["price"] == {"amount": "30.00", "currency": "EUR"}
    await catalog.tell("product.discontinued", amount="30.00", on_sale=False)
    assert await ticket(client) == {
        "product_code": "PASS001",
        "price": {"amount": "30.00", "currency": "EUR"},
        "on_sale": False,
    }


async def test_registering_needs_the_ticket_on_sale(
    client: httpx.AsyncClient, catalog: Catalog
) -> None:
    await ticketed(client)

    unknown = await register(client, "a@example.org")
    await catalog.tell("product.created", on_sale=False)
    draft = await register(client, "a@example.org")
    await catalog.tell("product.activated", on_sale=True)
    sold = await register(client, "a@example.org")
    await catalog.tell("product.discontinued", on_sale=False)
    withdrawn = await register(client, "b@example.org")

    for refused in (unknown, draft, withdrawn):
        assert refused.status_code == 409, refused.text
        assert "not on sale" in json.dumps(refused.json())
    assert sold.status_code == 201, sold.text
    event = (await client.get("/events/ev_jazz")).json()
    assert (event["seats_taken"], event["registration_count"]) == (1, 1)
    listed = (await client.get("/events/ev_jazz/registrations")).json()["items"]
    assert [r["attendee_email"] for r in listed] == ["a@example.org"]


async def test_a_product_on_sale_before_the_event_existed(
    client: httpx.AsyncClient, catalog: Catalog
) -> None:
    await catalog.tell("product.activated", on_sale=True)

    created = await ticketed(client)

    assert created["ticket"]["on_sale"] is True
    assert (await register(client, "a@example.org")).status_code == 201


async def test_a_deleted_product_stops_the_sale(
    client: httpx.AsyncClient, catalog: Catalog
) -> None:
    await ticketed(client)
    await catalog.tell("product.activated", on_sale=True)
    await catalog.tell("product.deleted", on_sale=False)

    assert await ticket(client) == {
        "product_code": "PASS001",
        "price": {"amount": "25.00", "currency": "EUR"},
        "on_sale": False,
    }
    assert (await register(client, "a@example.org")).status_code == 409


async def test_a_free_event_has_no_ticket_and_registers(client: httpx.AsyncClient) -> None:
    created = await ticketed(client, code=None)

    assert created["ticket"] is None
    assert (await register(client, "a@example.org")).status_code == 201


async def test_a_ticketed_event_is_never_answered_not_modified(
    client: httpx.AsyncClient, catalog: Catalog
) -> None:
    """Its ticket changes without the event's version: a 304 would hide a new price."""
    created = await ticketed(client)
    etag = f'"{created["version"]}"'
    await catalog.tell("product.activated", on_sale=True)

    response = await client.get("/events/ev_jazz", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.json()["ticket"]["on_sale"] is True


@pytest.mark.parametrize(
    "code", ["prod001", "PROD01", "", "PROD\u0000001", "P" * 30 + "001", 12345, ["PROD001"]]
)
async def test_a_code_no_product_can_have_is_422_and_creates_nothing(
    client: httpx.AsyncClient, code: Any
) -> None:
    response = await client.post(
        "/events",
        json={
            "id": "ev_bad",
            "title": "Bad",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=1)).isoformat(),
            "capacity": 1,
            "ticket_product_code": code,
        },
    )

    assert response.status_code == 422, response.text
    assert "ticket_product_code" in response.text
    assert (await client.get("/events/ev_bad")).status_code == 404
