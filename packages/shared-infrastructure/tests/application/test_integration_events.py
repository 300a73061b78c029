"""The integration-event envelope: what a transport may carry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    InvalidIntegrationEvent,
    Subscription,
)


def _event(**overrides: object) -> IntegrationEvent:
    fields: dict[str, object] = {
        "source": "product_catalog",
        "name": "product.price_changed",
        "version": 1,
        "aggregate_key": "PROD001",
        "payload": {"code": "PROD001", "price": {"amount": "25.00", "currency": "EUR"}},
    }
    fields.update(overrides)
    return IntegrationEvent(**fields)  # type: ignore[arg-type]


def test_json_round_trip_keeps_every_field() -> None:
    event = _event(occurred_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))))
    back = IntegrationEvent.from_json(event.to_json())
    assert back == event
    assert back.occurred_at.utcoffset() == timedelta(0)
    assert event.topic == "product.price_changed.v1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": " "}, "needs a name"),
        ({"source": ""}, "needs a source"),
        ({"aggregate_key": ""}, "aggregate key"),
        ({"version": 0}, "starts at 1"),
        ({"version": True}, "is an integer"),
        ({"occurred_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ({"payload": {"price": float("nan")}}, "not plain JSON"),
        ({"payload": {"when": datetime.now(UTC)}}, "not plain JSON"),
    ],
)
def test_an_envelope_that_breaks_the_rules_is_refused(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidIntegrationEvent, match=message):
        _event(**overrides)


@pytest.mark.parametrize(
    "text",
    ['{"id": "x"}', "[]", "not json", f'{{"id": "{uuid.uuid4()}"}}'],
)
def test_garbage_on_the_wire_is_an_invalid_event(text: str) -> None:
    with pytest.raises(InvalidIntegrationEvent):
        IntegrationEvent.from_json(text)


def test_a_subscription_matches_name_and_version() -> None:
    async def handler(event: IntegrationEvent) -> None:
        return None

    subscription = Subscription("events", "ticket_products", "product.price_changed", 1, handler)
    assert subscription.matches(_event())
    assert not subscription.matches(_event(version=2))
    assert subscription.key == "events.ticket_products"
    assert subscription.topic == "product.price_changed.v1"
