"""Integration events through the running service: a catalog write puts
its integration event in the outbox in the same transaction, and the relay
the lifespan runs delivers it to a subscription within a second."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import Engine, func, select

from api.app import create_app
from api.contexts import CONTEXTS, get_context
from api.messaging import subscriptions_of
from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging.records import OutboxRecord
from shared_infrastructure.testing.plugin import empty_all_tables


@pytest.fixture
def cleanup(sync_engine: Engine) -> Iterator[None]:
    yield
    empty_all_tables(sync_engine)


def unsent(engine: Engine) -> int:
    with engine.connect() as connection:
        statement = select(func.count()).where(OutboxRecord.sent_at.is_(None))
        return int(connection.scalar(statement) or 0)


async def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within the time limit")


def body(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Product {code}",
        "price": {"amount": "25.00", "currency": "EUR"},
    }


@pytest_asyncio.fixture(loop_scope="session")
async def service_with_probe(
    db_settings: Settings, cleanup: None
) -> AsyncIterator[tuple[httpx.AsyncClient, list[IntegrationEvent]]]:
    """The real contexts, plus a subscription to ``product.created`` v1 wired
    on the events context (as a context would, without importing the catalog)."""
    received: list[IntegrationEvent] = []

    def probe(database: AsyncDatabase) -> list[Subscription]:
        async def handler(event: IntegrationEvent) -> None:
            received.append(event)

        return [Subscription("events", "probe", "product.created", 1, handler)]

    contexts = tuple(
        dataclasses.replace(context, subscriptions=probe) if context.name == "events" else context
        for context in CONTEXTS
    )
    app = create_app(db_settings, contexts=contexts)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, received


async def test_a_catalog_write_reaches_a_subscriber_within_a_second(
    service_with_probe: tuple[httpx.AsyncClient, list[IntegrationEvent]], sync_engine: Engine
) -> None:
    client, received = service_with_probe

    response = await client.post("/products", json=body("TICKET100"))
    assert response.status_code == 201
    await eventually(lambda: unsent(sync_engine) == 0)  # the commit wakes the relay

    assert [(e.name, e.version, e.aggregate_key) for e in received] == [
        ("product.created", 1, "TICKET100")
    ]
    assert received[0].payload["price"] == {"amount": "25.00", "currency": "EUR"}
    health = await client.get("/health/outbox")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "pending": 0,
        "parked": 0,
        "oldest_pending_age_seconds": None,
    }


async def test_a_refused_write_publishes_nothing(
    service_with_probe: tuple[httpx.AsyncClient, list[IntegrationEvent]], sync_engine: Engine
) -> None:
    client, _ = service_with_probe
    assert (await client.post("/products", json=body("TICKET101"))).status_code == 201
    duplicate = await client.post("/products", json=body("TICKET101"))
    assert duplicate.status_code == 409

    with sync_engine.connect() as connection:
        keys = list(connection.scalars(select(OutboxRecord.aggregate_key)))
    assert keys == ["TICKET101"]


def test_a_consumer_subscribing_twice_to_one_topic_is_refused() -> None:
    async def handler(event: IntegrationEvent) -> None:
        return None

    twice = [
        Subscription("events", "same", "product.created", 1, handler),
        Subscription("events", "same", "product.activated", 1, handler),  # fine: another topic
        Subscription("events", "same", "product.created", 1, handler),
    ]
    contexts = [dataclasses.replace(get_context("events"), subscriptions=lambda _db: twice)]
    with pytest.raises(ValueError, match=r"events\.same \(product\.created\.v1\)"):
        subscriptions_of(None, contexts)  # type: ignore[arg-type]
