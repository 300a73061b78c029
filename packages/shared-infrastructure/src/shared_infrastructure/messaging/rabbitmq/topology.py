"""Where integration events go on RabbitMQ: exchanges, queues, bindings.

- One durable *topic* exchange per publishing context (``<ns>.<source>``);
  the routing key is the event's topic, ``name.vN``.
- One durable queue per subscription key (``<ns>.<subscriber>.<consumer>``),
  bound on every publishing context's exchange to each topic its
  subscriptions read (a subscription matches by name and version, whatever
  the source, as in process).
- The queues are *quorum* queues with a *single active consumer*: however
  many workers run, one of them consumes a given queue at a time, so the
  events of one aggregate key are applied in the order they were published;
  the others stand by and take over when it goes. ``x-delivery-limit``
  dead-letters a message redelivered that often (a handler that kills its
  worker), and a worker rejects a message that failed ``max_deliveries``
  times: both go through the dead-letter exchange ``<ns>.dead-letter`` to
  the key's dead-letter queue ``<ns>.<key>.dead``.

Both the publishing side and the workers declare the whole topology before
they use it (declarations are idempotent): a message published before any
worker ever started waits in its queue instead of being dropped as
unroutable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

from shared_infrastructure.application.integration_events import Subscription

DEFAULT_NAMESPACE = "integration"
DEFAULT_MAX_DELIVERIES = 5


@dataclass(frozen=True)
class BrokerTopology:
    """The names and the shape of the broker side, from the composition root's
    publishing contexts and subscriptions."""

    sources: tuple[str, ...]
    """The publishing contexts: one exchange each."""
    subscriptions: tuple[Subscription, ...] = ()
    namespace: str = DEFAULT_NAMESPACE
    """Prefix of every name; one per deployment (or per test run)."""
    max_deliveries: int = DEFAULT_MAX_DELIVERIES
    """Failures (or redeliveries) after which a message is dead-lettered."""
    _routes: Mapping[tuple[str, str], Subscription] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("a broker topology needs at least one publishing context")
        if self.max_deliveries < 1:
            raise ValueError("max_deliveries must be at least 1")
        routes: dict[tuple[str, str], Subscription] = {}
        for subscription in self.subscriptions:
            route = (subscription.key, subscription.topic)
            if route in routes:
                raise ValueError(
                    f"two subscriptions of {subscription.key} read {subscription.topic}"
                )
            routes[route] = subscription
        object.__setattr__(self, "_routes", routes)

    def exchange(self, source: str) -> str:
        return f"{self.namespace}.{source}"

    def queue(self, key: str) -> str:
        return f"{self.namespace}.{key}"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}.dead-letter"

    def dead_letter_queue(self, key: str) -> str:
        return f"{self.namespace}.{key}.dead"

    @property
    def keys(self) -> tuple[str, ...]:
        """The subscription keys, one queue each, in declaration order."""
        return tuple(dict.fromkeys(subscription.key for subscription in self.subscriptions))

    def topics(self, key: str) -> tuple[str, ...]:
        return tuple(sorted({item.topic for item in self.subscriptions if item.key == key}))

    def subscription(self, key: str, topic: str) -> Subscription | None:
        """Which subscription of ``key`` applies an event of ``topic``."""
        return self._routes.get((key, topic))

    def queue_arguments(self, key: str) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-single-active-consumer": True,
            "x-delivery-limit": self.max_deliveries,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": key,
        }

    async def declare_exchanges(self, channel: AbstractChannel) -> dict[str, AbstractExchange]:
        """The publishing contexts' exchanges, by source."""
        return {
            source: await channel.declare_exchange(
                self.exchange(source), ExchangeType.TOPIC, durable=True
            )
            for source in self.sources
        }

    async def declare(
        self, channel: AbstractChannel, keys: Iterable[str] | None = None
    ) -> dict[str, AbstractQueue]:
        """Every exchange, and the queues of ``keys`` (default: all) with their
        bindings and dead-letter queues; the queues by key."""
        exchanges = await self.declare_exchanges(channel)
        dead_letters = await channel.declare_exchange(
            self.dead_letter_exchange, ExchangeType.DIRECT, durable=True
        )
        queues: dict[str, AbstractQueue] = {}
        for key in self.keys if keys is None else keys:
            parked = await channel.declare_queue(self.dead_letter_queue(key), durable=True)
            await parked.bind(dead_letters, routing_key=key)
            queue = await channel.declare_queue(
                self.queue(key), durable=True, arguments=self.queue_arguments(key)
            )
            for exchange in exchanges.values():
                for topic in self.topics(key):
                    await queue.bind(exchange, routing_key=topic)
            queues[key] = queue
        return queues


__all__ = ["DEFAULT_MAX_DELIVERIES", "DEFAULT_NAMESPACE", "BrokerTopology"]
