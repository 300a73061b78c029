"""A worker's handling of one message, on in-memory deliveries (no broker)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.messaging.rabbitmq.delivery import Outcome, RetryPolicy, handle


async def _ignore(event: IntegrationEvent) -> None:
    return None


PRICES = Subscription("events", "ticket_products", "product.price_changed", 1, _ignore)


def _route(topic: str) -> Subscription | None:
    return PRICES if topic == PRICES.topic else None


def _event(name: str = "product.price_changed") -> IntegrationEvent:
    return IntegrationEvent(
        source="product_catalog", name=name, version=1, aggregate_key="P1", payload={"a": 1}
    )


@dataclass
class FakeDelivery:
    body: bytes
    previous_deliveries: int = 0
    stale: bool = False
    settled: list[str] = field(default_factory=list)
    ack_fails: bool = False

    async def ack(self) -> None:
        if self.ack_fails:
            raise ConnectionError("channel closed")
        self.settled.append("ack")

    async def reject(self) -> None:
        self.settled.append("reject")


@dataclass
class FakeApply:
    """Fails its first ``failures`` calls; records what it applied."""

    failures: int = 0
    answer: bool = True
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def __call__(self, subscription: Subscription, event: IntegrationEvent) -> bool:
        self.calls.append((subscription.key, str(event.id)))
        if len(self.calls) <= self.failures:
            raise RuntimeError("handler failed")
        return self.answer


class Sleeps:
    def __init__(self) -> None:
        self.pauses: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


POLICY = RetryPolicy(max_deliveries=3, first_pause=0.1, max_pause=0.15)


async def test_acks_only_after_apply_returned() -> None:
    event = _event()
    delivery = FakeDelivery(event.to_json().encode())
    apply = FakeApply()

    outcome = await handle(delivery, _route, apply, POLICY)

    assert outcome is Outcome.APPLIED
    assert apply.calls == [("events.ticket_products", str(event.id))]
    assert delivery.settled == ["ack"]


async def test_an_event_the_inbox_already_holds_is_acked_as_a_duplicate() -> None:
    delivery = FakeDelivery(_event().to_json().encode())

    outcome = await handle(delivery, _route, FakeApply(answer=False), POLICY)

    assert outcome is Outcome.DUPLICATE
    assert delivery.settled == ["ack"]


async def test_a_failing_apply_is_retried_in_place_with_growing_pauses() -> None:
    delivery = FakeDelivery(_event().to_json().encode())
    apply, sleeps = FakeApply(failures=2), Sleeps()

    outcome = await handle(delivery, _route, apply, POLICY, sleep=sleeps)

    assert outcome is Outcome.APPLIED
    assert len(apply.calls) == 3
    assert sleeps.pauses == [0.1, 0.15]  # doubled, then capped
    assert delivery.settled == ["ack"]


async def test_after_the_last_allowed_failure_the_message_is_dead_lettered() -> None:
    delivery = FakeDelivery(_event().to_json().encode())
    apply = FakeApply(failures=99)

    outcome = await handle(delivery, _route, apply, POLICY, sleep=Sleeps())

    assert outcome is Outcome.DEAD_LETTERED
    assert len(apply.calls) == 3
    assert delivery.settled == ["reject"]


async def test_earlier_deliveries_count_against_the_allowed_failures() -> None:
    delivery = FakeDelivery(_event().to_json().encode(), previous_deliveries=2)
    apply = FakeApply(failures=99)

    outcome = await handle(delivery, _route, apply, POLICY, sleep=Sleeps())

    assert outcome is Outcome.DEAD_LETTERED
    assert len(apply.calls) == 1


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"name": "x"}'])
async def test_a_message_that_is_no_integration_event_is_dead_lettered_untried(
    body: bytes,
) -> None:
    delivery, apply = FakeDelivery(body), FakeApply()

    assert await handle(delivery, _route, apply, POLICY) is Outcome.DEAD_LETTERED
    assert apply.calls == []
    assert delivery.settled == ["reject"]


async def test_an_event_no_subscription_of_the_queue_reads_is_dead_lettered() -> None:
    delivery, apply = FakeDelivery(_event("product.renamed").to_json().encode()), FakeApply()

    assert await handle(delivery, _route, apply, POLICY) is Outcome.DEAD_LETTERED
    assert apply.calls == []


async def test_a_message_of_a_closed_channel_is_left_to_its_redelivery() -> None:
    delivery, apply = FakeDelivery(_event().to_json().encode(), stale=True), FakeApply()

    assert await handle(delivery, _route, apply, POLICY) is Outcome.ABANDONED
    assert apply.calls == []
    assert delivery.settled == []


async def test_a_lost_ack_after_the_commit_is_not_an_error() -> None:
    delivery = FakeDelivery(_event().to_json().encode(), ack_fails=True)
    apply = FakeApply()

    assert await handle(delivery, _route, apply, POLICY) is Outcome.ABANDONED
    assert len(apply.calls) == 1


def test_a_policy_needs_one_delivery_at_least() -> None:
    with pytest.raises(ValueError, match="max_deliveries"):
        RetryPolicy(max_deliveries=0)
