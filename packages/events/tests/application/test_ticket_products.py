"""The ticket flow in the application layer, with the in-memory fakes:
the catalog's events feed the copy, and the copy decides who may register."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from events.application import (
    CreateEvent,
    EventService,
    TicketDetails,
    ticket_product_subscriptions,
)
from events.application.catalog_contract import read_product_state
from events.application.fakes import FakeEventsUnitOfWork
from events.domain import TicketNotOnSale, TicketPrice, TicketProduct
from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    InvalidIntegrationEvent,
    JsonValue,
    Subscription,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)


def catalog_event(
    event_name: str,
    /,
    *,
    code: str = "PASS001",
    amount: str | None = "25.00",
    on_sale: bool = True,
    at: datetime = NOW,
    **extra: JsonValue,
) -> IntegrationEvent:
    """What the catalog publishes (built from the contract, not imported)."""
    payload: dict[str, JsonValue] = {"code": code, "on_sale": on_sale, **extra}
    if amount is not None:
        payload["price"] = {"amount": amount, "currency": "EUR"}
    return IntegrationEvent(
        source="product_catalog",
        name=event_name,
        version=1,
        aggregate_key=code,
        payload=payload,
        occurred_at=at,
    )


@pytest.fixture
def subscriptions(uow_factory: Callable[[], FakeEventsUnitOfWork]) -> list[Subscription]:
    return ticket_product_subscriptions(uow_factory)


async def deliver(subscriptions: list[Subscription], event: IntegrationEvent) -> None:
    """What a relay does: every matching handler gets the event."""
    matching = [s for s in subscriptions if s.matches(event)]
    assert matching, f"nobody subscribed to {event.topic}"
    for subscription in matching:
        await subscription.handler(event)


async def ticketed_event(service: EventService, code: str = "PASS001") -> str:
    created = await service.create_event(
        CreateEvent(
            id="ev_jazz",
            title="Jazz night",
            starts_at=START,
            ends_at=START + timedelta(hours=3),
            capacity=10,
            ticket_product_code=code,
        )
    )
    await service.publish(created.id)
    return created.id


class TestSubscriptions:
    def test_one_consumer_per_product_state_event_at_version_1(
        self, subscriptions: list[Subscription]
    ) -> None:
        assert sorted(s.key for s in subscriptions) == [
            "events.ticket_products.activated",
            "events.ticket_products.created",
            "events.ticket_products.deleted",
            "events.ticket_products.discontinued",
            "events.ticket_products.price_changed",
        ]
        assert sorted(s.topic for s in subscriptions) == [
            "product.activated.v1",
            "product.created.v1",
            "product.deleted.v1",
            "product.discontinued.v1",
            "product.price_changed.v1",
        ]

    def test_other_events_and_versions_are_not_subscribed(
        self, subscriptions: list[Subscription]
    ) -> None:
        renamed = catalog_event("product.renamed")
        v2 = IntegrationEvent(
            source="product_catalog",
            name="product.activated",
            version=2,
            aggregate_key="PASS001",
            payload={},
        )
        assert not any(s.matches(renamed) or s.matches(v2) for s in subscriptions)


class TestTheProjection:
    async def test_the_product_lifecycle_is_copied(
        self,
        subscriptions: list[Subscription],
        ticket_storage: dict[Any, TicketProduct],
    ) -> None:
        await deliver(subscriptions, catalog_event("product.created", on_sale=False))
        assert ticket_storage["PASS001"].on_sale is False
        assert ticket_storage["PASS001"].price == TicketPrice("25.00", "EUR")

        await deliver(subscriptions, catalog_event("product.activated", at=NOW + timedelta(1)))
        assert ticket_storage["PASS001"].on_sale is True

        repriced = catalog_event("product.price_changed", amount="30.50", at=NOW + timedelta(2))
        await deliver(subscriptions, repriced)
        assert ticket_storage["PASS001"].price == TicketPrice("30.50", "EUR")

        gone = catalog_event(
            "product.discontinued", amount="30.50", on_sale=False, at=NOW + timedelta(3)
        )
        await deliver(subscriptions, gone)
        assert ticket_storage["PASS001"].on_sale is False
        assert ticket_storage["PASS001"].price == TicketPrice("30.50", "EUR")

    async def test_an_event_for_an_unknown_product_creates_its_copy(
        self, subscriptions: list[Subscription], ticket_storage: dict[Any, TicketProduct]
    ) -> None:
        """Subscribing late (or losing the created event) still gives a row."""
        await deliver(subscriptions, catalog_event("product.price_changed", amount="9.00"))

        assert ticket_storage["PASS001"].price == TicketPrice("9.00", "EUR")
        assert ticket_storage["PASS001"].on_sale is True

    async def test_a_deleted_product_is_no_longer_on_sale_and_keeps_its_last_price(
        self, subscriptions: list[Subscription], ticket_storage: dict[Any, TicketProduct]
    ) -> None:
        await deliver(subscriptions, catalog_event("product.activated"))
        deleted = catalog_event(
            "product.deleted", amount=None, on_sale=False, at=NOW + timedelta(1), status="deleted"
        )
        await deliver(subscriptions, deleted)

        assert ticket_storage["PASS001"].on_sale is False
        assert ticket_storage["PASS001"].price == TicketPrice("25.00", "EUR")

    async def test_the_same_event_twice_changes_nothing_more(
        self, subscriptions: list[Subscription], ticket_storage: dict[Any, TicketProduct]
    ) -> None:
        activated = catalog_event("product.activated")
        await deliver(subscriptions, activated)
        once = (ticket_storage["PASS001"].price, ticket_storage["PASS001"].on_sale)

        await deliver(subscriptions, activated)

        assert (ticket_storage["PASS001"].price, ticket_storage["PASS001"].on_sale) == once

    async def test_an_older_state_delivered_late_is_ignored(
        self, subscriptions: list[Subscription], ticket_storage: dict[Any, TicketProduct]
    ) -> None:
        await deliver(subscriptions, catalog_event("product.discontinued", on_sale=False))
        await deliver(
            subscriptions,
            catalog_event("product.activated", at=NOW - timedelta(minutes=1)),
        )

        assert ticket_storage["PASS001"].on_sale is False
        assert ticket_storage["PASS001"].as_of == NOW

    @pytest.mark.parametrize(
        "payload",
        [
            {"on_sale": True, "price": {"amount": "1.00", "currency": "EUR"}},
            {"code": "OTHER001", "on_sale": True, "price": {"amount": "1", "currency": "EUR"}},
            {"code": "PASS001", "on_sale": "yes", "price": {"amount": "1", "currency": "EUR"}},
            {"code": "PASS001", "on_sale": True},
            {"code": "PASS001", "on_sale": True, "price": {"amount": 1.5, "currency": "EUR"}},
            {"code": "PASS001", "on_sale": True, "price": {"amount": "-1", "currency": "EUR"}},
            {"code": "PASS001", "on_sale": True, "price": {"amount": "1", "currency": "euro"}},
        ],
        ids=[
            "no-code",
            "code-not-the-key",
            "on-sale-not-boolean",
            "no-price",
            "float-amount",
            "negative",
            "bad-currency",
        ],
    )
    async def test_a_payload_breaking_the_contract_is_refused_and_stores_nothing(
        self,
        subscriptions: list[Subscription],
        ticket_storage: dict[Any, TicketProduct],
        payload: dict[str, JsonValue],
    ) -> None:
        event = IntegrationEvent(
            source="product_catalog",
            name="product.activated",
            version=1,
            aggregate_key="PASS001",
            payload=payload,
        )

        with pytest.raises(InvalidIntegrationEvent):
            await deliver(subscriptions, event)

        assert ticket_storage == {}

    def test_fields_the_contract_does_not_rely_on_are_ignored(self) -> None:
        event = catalog_event("product.created", name="Pass", status="draft", colour="red")

        state = read_product_state(event)

        assert (state.code, state.price, state.on_sale) == (
            "PASS001",
            TicketPrice("25.00", "EUR"),
            True,
        )


class TestRegisteringWithATicket:
    async def test_the_event_shows_its_ticket_as_last_heard(
        self, service: EventService, subscriptions: list[Subscription]
    ) -> None:
        event_id = await ticketed_event(service)
        assert (await service.get_event(event_id)).ticket == TicketDetails(
            product_code="PASS001", price=None, on_sale=False
        )

        await deliver(subscriptions, catalog_event("product.activated"))

        assert (await service.get_event(event_id)).ticket == TicketDetails(
            product_code="PASS001", price=TicketPrice("25.00", "EUR"), on_sale=True
        )

    async def test_a_product_active_before_the_event_existed_is_on_sale(
        self, service: EventService, subscriptions: list[Subscription]
    ) -> None:
        await deliver(subscriptions, catalog_event("product.activated"))

        event_id = await ticketed_event(service)
        registration = await service.register_attendee(event_id, "a@example.org")

        assert registration.seats == 1

    async def test_registering_while_not_on_sale_is_refused_and_writes_nothing(
        self,
        service: EventService,
        subscriptions: list[Subscription],
        registration_storage: dict[Any, Any],
    ) -> None:
        event_id = await ticketed_event(service)
        with pytest.raises(TicketNotOnSale):
            await service.register_attendee(event_id, "a@example.org")

        await deliver(subscriptions, catalog_event("product.activated"))
        await service.register_attendee(event_id, "a@example.org")
        await deliver(
            subscriptions,
            catalog_event("product.discontinued", on_sale=False, at=NOW + timedelta(1)),
        )
        with pytest.raises(TicketNotOnSale):
            await service.register_attendee(event_id, "b@example.org")

        assert [r.attendee_email for r in registration_storage.values()] == ["a@example.org"]
        assert (await service.get_event(event_id)).seats_taken == 1

    async def test_an_event_without_a_ticket_product_has_no_ticket(
        self, service: EventService
    ) -> None:
        created = await service.create_event(
            CreateEvent(
                title="Free talk", starts_at=START, ends_at=START + timedelta(hours=1), capacity=5
            )
        )

        assert created.ticket is None
