"""The ticket flow through the whole service: the catalog's writes reach the
events context only as integration events (outbox, relay, inbox), and an
event shows and enforces its ticket from them.

The lifespan's background relay is off; the test drives a relay over the
same subscriptions round by round (``relay_once``), so nothing depends on
timing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import Engine

from api.app import create_app
from api.messaging import build_relay, subscriptions_of
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.messaging import OutboxRelay
from shared_infrastructure.testing.plugin import empty_all_tables

EVENT = {
    "title": "Jazz night",
    "starts_at": "2031-07-01T20:00:00+02:00",
    "ends_at": "2031-07-01T23:00:00+02:00",
    "capacity": 100,
}


@pytest.fixture
def cleanup(sync_engine: Engine) -> Iterator[None]:
    yield
    empty_all_tables(sync_engine)


@pytest_asyncio.fixture(loop_scope="session")
async def service(
    db_settings: Settings, cleanup: None
) -> AsyncIterator[tuple[httpx.AsyncClient, OutboxRelay]]:
    app: FastAPI = create_app(db_settings, relay_outbox=False)
    async with app.router.lifespan_context(app):
        database = app.state.composition.database
        relay = build_relay(database, subscriptions_of(database))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, relay


async def relay_all(relay: OutboxRelay) -> int:
    """Deliver everything pending, round by round."""
    delivered = 0
    while (batch := await relay.relay_once()) > 0:
        delivered += batch
    return delivered


async def ticket_of(client: httpx.AsyncClient, event_url: str) -> Any:
    response = await client.get(event_url)
    assert response.status_code == 200, response.text
    return response.json()["ticket"]


async def test_an_event_is_priced_and_sold_by_the_catalog(
    service: tuple[httpx.AsyncClient, OutboxRelay],
) -> None:
    client, relay = service
    product = await client.post(
        "/products",
        json={"code": "JAZZ001", "name": "Jazz pass", "price": {"amount": "25", "currency": "EUR"}},
    )
    assert product.status_code == 201, product.text
    product_url = f"/products/{product.json()['id']}"
    assert (await client.post(f"{product_url}/activate")).status_code == 200
    # The product became active before any event linked it.
    assert await relay_all(relay) == 2

    created = await client.post("/events", json={**EVENT, "ticket_product_code": "JAZZ001"})
    assert created.status_code == 201, created.text
    event_url = created.headers["location"]
    assert (await client.post(f"{event_url}/publish")).status_code == 200
    assert await ticket_of(client, event_url) == {
        "product_code": "JAZZ001",
        "price": {"amount": "25.00", "currency": "EUR"},
        "on_sale": True,
    }
    registered = await client.post(
        f"{event_url}/registrations", json={"attendee_email": "ann@example.org"}
    )
    assert registered.status_code == 201, registered.text

    repriced = await client.patch(
        product_url, json={"price": {"amount": "30.50", "currency": "EUR"}}
    )
    assert repriced.status_code == 200, repriced.text
    # Not delivered yet: the event still shows what the events context knows.
    assert (await ticket_of(client, event_url))["price"]["amount"] == "25.00"
    assert await relay_all(relay) == 1
    assert (await ticket_of(client, event_url))["price"] == {"amount": "30.50", "currency": "EUR"}

    assert (await client.post(f"{product_url}/discontinue")).status_code == 200
    assert await relay_all(relay) == 1
    assert await ticket_of(client, event_url) == {
        "product_code": "JAZZ001",
        "price": {"amount": "30.50", "currency": "EUR"},
        "on_sale": False,
    }
    refused = await client.post(
        f"{event_url}/registrations", json={"attendee_email": "bob@example.org"}
    )
    assert refused.status_code == 409, refused.text
    assert "not on sale" in json.dumps(refused.json())
    event = (await client.get(event_url)).json()
    assert (event["seats_taken"], event["registration_count"]) == (1, 1)


async def test_an_event_linked_before_its_product_exists_waits_for_the_catalog(
    service: tuple[httpx.AsyncClient, OutboxRelay],
) -> None:
    client, relay = service
    created = await client.post("/events", json={**EVENT, "ticket_product_code": "SOON001"})
    event_url = created.headers["location"]
    assert (await client.post(f"{event_url}/publish")).status_code == 200
    assert await ticket_of(client, event_url) == {
        "product_code": "SOON001",
        "price": None,
        "on_sale": False,
    }
    early = await client.post(f"{event_url}/registrations", json={"attendee_email": "a@x.org"})
    assert early.status_code == 409

    product = await client.post(
        "/products",
        json={"code": "SOON001", "name": "Pass", "price": {"amount": "12.00", "currency": "EUR"}},
    )
    await client.post(f"/products/{product.json()['id']}/activate")
    await relay_all(relay)

    assert (await ticket_of(client, event_url))["on_sale"] is True
    late = await client.post(f"{event_url}/registrations", json={"attendee_email": "a@x.org"})
    assert late.status_code == 201, late.text
    assert (await ticket_of(client, event_url))["price"] == {"amount": "12.00", "currency": "EUR"}
