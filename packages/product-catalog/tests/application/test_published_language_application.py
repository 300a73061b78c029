"""The catalog's published language: what another context is told, as plain JSON."""

import json
from collections.abc import Sequence
from decimal import Decimal
from uuid import uuid4

from product_catalog.application import ProductService
from product_catalog.application.fakes import (
    FakeProductCatalogUnitOfWork,
    InMemoryProductStore,
)
from product_catalog.application.published_language import (
    PRODUCT_ACTIVATED,
    PRODUCT_CREATED,
    PRODUCT_DELETED,
    PRODUCT_DISCONTINUED,
    PRODUCT_PRICE_CHANGED,
    published_language,
)
from product_catalog.domain import ProductRenamed
from shared_infrastructure.application.integration_events import IntegrationEvent
from shared_infrastructure.domain import DomainEvent


async def _published() -> list[IntegrationEvent]:
    """Drive a product through its life and map every committed domain event."""
    store = InMemoryProductStore()
    domain_events: list[DomainEvent] = []

    async def publish(events: Sequence[DomainEvent]) -> None:
        domain_events.extend(events)

    service = ProductService(lambda: FakeProductCatalogUnitOfWork(store), publish=publish)
    product = await service.create(
        code="TICKET001", name="Jazz pass", price_amount=Decimal("25"), price_currency="EUR"
    )
    await service.rename(product.id, "Jazz festival pass")
    await service.activate(product.id)
    await service.change_price(product.id, "30.5", "EUR")
    await service.discontinue(product.id)
    await service.delete(product.id)
    return [event for domain in domain_events for event in published_language(domain)]


async def test_the_product_lifecycle_becomes_versioned_events_keyed_by_code() -> None:
    events = await _published()

    assert [(e.name, e.version) for e in events] == [
        (PRODUCT_CREATED, 1),
        (PRODUCT_ACTIVATED, 1),
        (PRODUCT_PRICE_CHANGED, 1),
        (PRODUCT_DISCONTINUED, 1),
        (PRODUCT_DELETED, 1),
    ]
    assert {e.source for e in events} == {"product_catalog"}
    assert {e.aggregate_key for e in events} == {"TICKET001"}
    assert [e.topic for e in events][:2] == ["product.created.v1", "product.activated.v1"]


async def test_payloads_carry_the_sellable_state_as_plain_json() -> None:
    created, activated, repriced, discontinued, deleted = await _published()

    assert created.payload == {
        "code": "TICKET001",
        "name": "Jazz pass",
        "price": {"amount": "25.00", "currency": "EUR"},
        "status": "draft",
        "on_sale": False,
    }
    assert activated.payload == {
        "code": "TICKET001",
        "price": {"amount": "25.00", "currency": "EUR"},
        "status": "active",
        "on_sale": True,
    }
    assert repriced.payload == {
        "code": "TICKET001",
        "price": {"amount": "30.50", "currency": "EUR"},
        "old_price": {"amount": "25.00", "currency": "EUR"},
        "status": "active",
        "on_sale": True,
    }
    assert discontinued.payload["on_sale"] is False
    assert discontinued.payload["status"] == "discontinued"
    assert discontinued.payload["price"] == {"amount": "30.50", "currency": "EUR"}
    assert deleted.payload == {"code": "TICKET001", "status": "deleted", "on_sale": False}
    # What a transport carries reads back unchanged, without the catalog's types.
    for event in (created, activated, repriced, discontinued, deleted):
        assert IntegrationEvent.from_json(event.to_json()) == event
        assert json.loads(event.to_json())["payload"] == event.payload


async def test_a_price_change_on_a_draft_is_not_on_sale() -> None:
    store = InMemoryProductStore()
    seen: list[DomainEvent] = []

    async def publish(events: Sequence[DomainEvent]) -> None:
        seen.extend(events)

    service = ProductService(lambda: FakeProductCatalogUnitOfWork(store), publish=publish)
    product = await service.create(
        code="TICKET002", name="Pass", price_amount="10", price_currency="JPY"
    )
    await service.change_price(product.id, "12", "JPY")

    repriced = published_language(seen[-1])[0]
    assert repriced.payload["status"] == "draft"
    assert repriced.payload["on_sale"] is False
    # Currencies without minor units keep their own form: no invented decimals.
    assert repriced.payload["price"] == {"amount": "12", "currency": "JPY"}


def test_private_domain_events_are_not_published() -> None:
    renamed = ProductRenamed(product_id=uuid4(), code="TICKET001", old_name="a", new_name="b")
    assert published_language(renamed) == []


async def test_the_integration_event_keeps_the_domain_event_identity() -> None:
    store = InMemoryProductStore()
    seen: list[DomainEvent] = []

    async def publish(events: Sequence[DomainEvent]) -> None:
        seen.extend(events)

    service = ProductService(lambda: FakeProductCatalogUnitOfWork(store), publish=publish)
    await service.create(code="TICKET003", name="Pass", price_amount="1", price_currency="EUR")

    (created,) = published_language(seen[0])
    assert created.id == seen[0].event_id
    assert created.occurred_at == seen[0].occurred_at
    assert published_language(seen[0]) == [created]
