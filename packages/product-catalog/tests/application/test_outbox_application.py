"""The catalog's use cases leave their integration events in the outbox,
only when they commit (in-memory fakes, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from product_catalog.application import ProductService
from product_catalog.application.fakes import FakeProductCatalogUnitOfWork, InMemoryProductStore
from product_catalog.domain import DuplicateProductCode
from shared_infrastructure.application.fakes import InMemoryOutbox
from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription


def catalog() -> tuple[ProductService, InMemoryOutbox]:
    store, outbox = InMemoryProductStore(), InMemoryOutbox()
    return ProductService(lambda: FakeProductCatalogUnitOfWork(store, outbox)), outbox


async def test_each_committed_change_leaves_its_integration_event() -> None:
    service, outbox = catalog()

    product = await service.create(
        code="TICKET001", name="Jazz pass", price_amount=Decimal("25"), price_currency="EUR"
    )
    await service.rename(product.id, "Jazz festival pass")  # stays inside the catalog
    await service.activate(product.id)

    assert outbox.topics() == ["product.created.v1", "product.activated.v1"]
    assert {event.aggregate_key for event in outbox.events} == {"TICKET001"}


async def test_a_refused_change_publishes_nothing() -> None:
    service, outbox = catalog()
    await service.create(code="TICKET001", name="A", price_amount="1", price_currency="EUR")

    with pytest.raises(DuplicateProductCode):
        await service.create(code="TICKET001", name="B", price_amount="1", price_currency="EUR")

    assert outbox.topics() == ["product.created.v1"]


async def test_the_fake_bus_hands_events_to_subscribers_once() -> None:
    service, outbox = catalog()
    seen: list[str] = []

    async def handler(event: IntegrationEvent) -> None:
        seen.append(event.aggregate_key)

    subscription = Subscription("events", "probe", "product.created", 1, handler)
    await service.create(code="TICKET001", name="A", price_amount="1", price_currency="EUR")

    assert await outbox.deliver([subscription]) == 1
    assert await outbox.deliver([subscription]) == 0  # the inbox: once per consumer
    assert seen == ["TICKET001"]
