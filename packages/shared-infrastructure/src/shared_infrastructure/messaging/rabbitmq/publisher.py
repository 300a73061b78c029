"""The outbox relay's publisher on RabbitMQ.

``publish(events)`` returns only once the broker has confirmed every event
(persistent messages on a publisher-confirms channel); otherwise it raises
:class:`PublishFailed` and the relay leaves the rows pending, to publish
them again later. A confirm lost with the connection therefore means a
duplicate, never a loss: consumers are idempotent through their inbox.

The events of one call go out on one channel, in the order given, without
waiting for each confirm before sending the next (confirms are awaited
together): RabbitMQ keeps the order of one channel's messages, so the
events of one aggregate key reach their queues in order.

The connection is opened at the first publish (a broker that is down at
start is only an error for the relay's current batch) and is a *robust*
one: after a broker restart or ``rabbitmqctl close_all_connections`` it
reconnects by itself and declares its exchanges and queues again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractRobustChannel, AbstractRobustConnection

from shared_infrastructure.application.integration_events import IntegrationEvent
from shared_infrastructure.messaging.rabbitmq.envelope import to_message
from shared_infrastructure.messaging.rabbitmq.topology import BrokerTopology

logger = logging.getLogger("shared_infrastructure.messaging.rabbitmq")

DEFAULT_CONFIRM_TIMEOUT = 30.0


class PublishFailed(RuntimeError):
    """The broker did not confirm every event of a batch: publish them again."""


class UnknownSource(PublishFailed):
    """An event from a context the topology has no exchange for."""


class RabbitMQPublisher:
    """Publishes integration events to their context's topic exchange."""

    def __init__(
        self,
        url: str,
        topology: BrokerTopology,
        *,
        confirm_timeout: float = DEFAULT_CONFIRM_TIMEOUT,
        connection_name: str = "outbox relay",
    ) -> None:
        self._url = url
        self._connection_name = connection_name
        self._topology = topology
        self._confirm_timeout = confirm_timeout
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}
        self._lock = asyncio.Lock()

    async def publish(self, events: Sequence[IntegrationEvent]) -> None:
        if not events:
            return
        for event in events:
            if event.source not in self._topology.sources:
                raise UnknownSource(
                    f"no exchange for context {event.source!r} "
                    f"(publishing contexts: {', '.join(self._topology.sources)})"
                )
        exchanges = await self._ready()
        sends = [
            exchanges[event.source].publish(
                to_message(event),
                routing_key=event.topic,
                mandatory=False,
                timeout=self._confirm_timeout,
            )
            for event in events
        ]
        outcomes = await asyncio.gather(*sends, return_exceptions=True)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            first = failures[0]
            raise PublishFailed(
                f"{len(failures)} of {len(events)} events not confirmed by the broker: "
                f"{type(first).__name__}: {first}"
            ) from first

    async def _ready(self) -> dict[str, AbstractExchange]:
        async with self._lock:
            if self._connection is None:
                try:
                    connection = await aio_pika.connect_robust(
                        self._url, client_properties={"connection_name": self._connection_name}
                    )
                except Exception as error:
                    raise PublishFailed(f"cannot connect to the broker: {error}") from error
                try:
                    channel = await connection.channel(publisher_confirms=True)
                    await self._topology.declare(channel)
                    self._exchanges = await self._topology.declare_exchanges(channel)
                except BaseException:
                    await connection.close()
                    raise
                self._connection, self._channel = connection, channel
            elif self._channel is not None and self._channel.is_closed:
                # Reconnecting in the background: wait for it, within a bound.
                try:
                    async with asyncio.timeout(self._confirm_timeout):
                        await self._channel.ready()
                except Exception as error:
                    raise PublishFailed(f"broker connection not restored: {error}") from error
            return self._exchanges

    async def close(self) -> None:
        async with self._lock:
            connection, self._connection, self._channel = self._connection, None, None
            self._exchanges = {}
        if connection is not None:
            await connection.close()


__all__ = ["DEFAULT_CONFIRM_TIMEOUT", "PublishFailed", "RabbitMQPublisher", "UnknownSource"]
