"""A worker process's consumers: one per subscription queue.

Each queue's messages are handled one after the other, in the order the
broker delivers them (:func:`~.delivery.handle`); the queues run side by
side. The queues have a single active consumer, so with several workers
each queue is consumed by one of them at a time and the others take over
when it stops: the events of one aggregate key are applied in order.

The connection is robust: when it drops (broker restart, ``rabbitmqctl
close_all_connections``), aio-pika reconnects and consumes again. Messages
that were in flight on the old channel are abandoned unacknowledged (the
broker delivers them again, and the inbox skips those already applied).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from aio_pika.exceptions import AMQPConnectionError, ChannelInvalidStateError

from shared_infrastructure.application.integration_events import Subscription
from shared_infrastructure.messaging.rabbitmq.delivery import (
    Apply,
    Outcome,
    RetryPolicy,
    handle,
)
from shared_infrastructure.messaging.rabbitmq.topology import BrokerTopology

logger = logging.getLogger("shared_infrastructure.messaging.rabbitmq")

DEFAULT_PREFETCH = 64
FIRST_CONNECT_PAUSE = 1.0
MAX_CONNECT_PAUSE = 30.0
DELIVERY_COUNT_HEADER = "x-delivery-count"


class AmqpDelivery:
    """An aio-pika message seen through the :class:`~.delivery.Delivery` protocol."""

    def __init__(self, message: AbstractIncomingMessage) -> None:
        self._message = message

    @property
    def body(self) -> bytes:
        return self._message.body

    @property
    def previous_deliveries(self) -> int:
        count = (self._message.headers or {}).get(DELIVERY_COUNT_HEADER, 0)
        return count if isinstance(count, int) and count > 0 else 0

    @property
    def stale(self) -> bool:
        try:
            return bool(self._message.channel.is_closed)
        except ChannelInvalidStateError:  # aio-pika's word for a closed channel
            return True

    async def ack(self) -> None:
        await self._message.ack()

    async def reject(self) -> None:
        await self._message.reject(requeue=False)


class RabbitMQWorker:
    """Consumes the queues of ``keys`` (default: every subscription key)."""

    def __init__(
        self,
        url: str,
        topology: BrokerTopology,
        apply: Apply,
        *,
        keys: Sequence[str] | None = None,
        prefetch: int = DEFAULT_PREFETCH,
        policy: RetryPolicy | None = None,
        connection_name: str = "worker",
    ) -> None:
        unknown = sorted(set(keys or ()) - set(topology.keys))
        if unknown:
            raise ValueError(f"no subscription has the key(s) {', '.join(unknown)}")
        self._url = url
        self._connection_name = connection_name
        self._topology = topology
        self._apply = apply
        self._keys = tuple(keys) if keys is not None else topology.keys
        self._prefetch = prefetch
        self._policy = policy or RetryPolicy(max_deliveries=topology.max_deliveries)
        self.outcomes: Counter[Outcome] = Counter()
        """What became of the messages handled so far (logs and tests read it)."""
        self.started = asyncio.Event()
        """Set once every queue is being consumed."""

    async def run(self) -> None:
        """Consume until cancelled."""
        if not self._keys:
            logger.warning("no subscriptions: this worker has nothing to consume")
        connection = await self._connect()
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._prefetch)
            queues = await self._topology.declare(channel, self._keys)
            async with asyncio.TaskGroup() as tasks:
                for key, queue in queues.items():
                    inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
                    await queue.consume(inbox.put)
                    tasks.create_task(self._drain(key, inbox), name=f"consume {key}")
                logger.info("consuming %s on %s", ", ".join(queues) or "nothing", self._redacted())
                self.started.set()
        finally:
            await connection.close()

    async def _connect(self) -> AbstractRobustConnection:
        """The first connection, waited for: a worker may start before the
        broker (robust connections only reconnect once they were connected)."""
        pause = FIRST_CONNECT_PAUSE
        while True:
            try:
                return await aio_pika.connect_robust(
                    self._url, client_properties={"connection_name": self._connection_name}
                )
            except (OSError, AMQPConnectionError) as error:
                logger.warning(
                    "broker not reachable at %s (%s); trying again in %.0f s",
                    self._redacted(),
                    error or type(error).__name__,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_CONNECT_PAUSE)

    async def _drain(self, key: str, inbox: asyncio.Queue[AbstractIncomingMessage]) -> None:
        def route(topic: str) -> Subscription | None:
            return self._topology.subscription(key, topic)

        while True:
            message = await inbox.get()
            outcome = await handle(AmqpDelivery(message), route, self._apply, self._policy)
            self.outcomes[outcome] += 1

    def _redacted(self) -> str:
        from yarl import URL

        return str(URL(self._url).with_password("***")) if "@" in self._url else self._url


__all__ = ["DEFAULT_PREFETCH", "AmqpDelivery", "RabbitMQWorker"]
