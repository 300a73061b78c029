"""What a worker does with one delivered message, apart from any broker.

:func:`handle` decodes the event, finds the subscription that reads it,
and calls ``apply`` (the inbox: the handler and the inbox row in one
transaction). It acknowledges only after ``apply`` returned, whether it
applied the event or found it applied already. A failing ``apply`` is tried
again in place, with a growing pause, so that nothing behind it in the
queue overtakes it; after the last allowed failure the message is rejected
and the broker dead-letters it. A message that is not an integration event,
or that no subscription of the queue reads, is rejected at once: retrying
cannot help it.

The broker-independent :class:`Delivery` protocol lets the same code run on
aio-pika messages and on the in-memory deliveries of the unit tests.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    InvalidIntegrationEvent,
    Subscription,
)

logger = logging.getLogger("shared_infrastructure.messaging.rabbitmq")

Apply = Callable[[Subscription, IntegrationEvent], Awaitable[bool]]
"""Applies ``event`` for ``subscription`` in its own committed transaction;
False when the inbox says it was applied before. Raises when it failed."""


class Delivery(Protocol):
    """One message as a consumer received it."""

    @property
    def body(self) -> bytes: ...

    @property
    def previous_deliveries(self) -> int:
        """How often the broker delivered it before (crashes, requeues)."""
        ...

    @property
    def stale(self) -> bool:
        """Its channel is gone: the broker will deliver it again elsewhere."""
        ...

    async def ack(self) -> None: ...

    async def reject(self) -> None:
        """Refuse it without requeueing: the broker dead-letters it."""
        ...


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    DEAD_LETTERED = "dead-lettered"
    ABANDONED = "abandoned"
    """Its channel closed first: it was neither acked nor rejected."""


@dataclass(frozen=True)
class RetryPolicy:
    """``max_deliveries`` failures in all, ``first_pause`` doubling up to
    ``max_pause`` between two of them."""

    max_deliveries: int = 5
    first_pause: float = 0.2
    max_pause: float = 10.0

    def __post_init__(self) -> None:
        if self.max_deliveries < 1:
            raise ValueError("max_deliveries must be at least 1")

    def pause(self, failures: int) -> float:
        return float(min(self.max_pause, self.first_pause * 2.0 ** (failures - 1)))


Route = Callable[[str], Subscription | None]
"""The subscription of the consuming queue that reads a topic, if any."""


async def handle(
    delivery: Delivery,
    route: Route,
    apply: Apply,
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Outcome:
    try:
        event = IntegrationEvent.from_json(delivery.body)
    except InvalidIntegrationEvent as error:
        logger.error("dead-lettering a message that is not an integration event: %s", error)
        return await _reject(delivery)
    subscription = route(event.topic)
    if subscription is None:
        logger.error(
            "dead-lettering %s %s: no subscription of this queue reads it", event.topic, event.id
        )
        return await _reject(delivery)

    failures = delivery.previous_deliveries
    while True:
        if delivery.stale:
            return Outcome.ABANDONED
        try:
            applied = await apply(subscription, event)
        except Exception:
            failures += 1
            logger.exception(
                "%s failed on %s %s (failure %d of %d)",
                subscription.key,
                event.topic,
                event.id,
                failures,
                policy.max_deliveries,
            )
            if failures >= policy.max_deliveries:
                return await _reject(delivery)
            await sleep(policy.pause(failures))
            continue
        if delivery.stale:
            # Committed, but the ack cannot reach the broker any more: the
            # redelivery will find the inbox row.
            return Outcome.ABANDONED
        try:
            await delivery.ack()
        except Exception as error:
            logger.warning("ack of %s lost (%s): it will be redelivered", event.id, error)
            return Outcome.ABANDONED
        return Outcome.APPLIED if applied else Outcome.DUPLICATE


async def _reject(delivery: Delivery) -> Outcome:
    if delivery.stale:
        return Outcome.ABANDONED
    try:
        await delivery.reject()
    except Exception as error:
        logger.warning("reject lost (%s): the message will be redelivered", error)
        return Outcome.ABANDONED
    return Outcome.DEAD_LETTERED


__all__ = ["Apply", "Delivery", "Outcome", "RetryPolicy", "Route", "handle"]
