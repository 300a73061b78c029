"""The real RabbitMQ (``TEST_BROKER_URL``, default the local guest account).

Every test gets its own namespace, so its exchanges and queues collide with
no other run's, and they are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import aio_pika
import pytest

from shared_infrastructure.application.integration_events import Subscription
from shared_infrastructure.messaging.rabbitmq.topology import BrokerTopology

DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"

MakeTopology = Callable[..., BrokerTopology]


@pytest.fixture(scope="session")
def broker_url() -> str:
    return os.environ.get("TEST_BROKER_URL", DEFAULT_BROKER_URL)


@pytest.fixture
async def make_topology(broker_url: str) -> AsyncIterator[MakeTopology]:
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    made: list[BrokerTopology] = []

    def make(
        sources: Sequence[str], subscriptions: Sequence[Subscription] = (), **options: int
    ) -> BrokerTopology:
        topology = BrokerTopology(
            tuple(sources), tuple(subscriptions), namespace=namespace, **options
        )
        made.append(topology)
        return topology

    yield make
    connection = await aio_pika.connect(broker_url)
    try:
        channel = await connection.channel()
        for topology in made:
            for key in topology.keys:
                await channel.queue_delete(topology.queue(key))
                await channel.queue_delete(topology.dead_letter_queue(key))
            for source in topology.sources:
                await channel.exchange_delete(topology.exchange(source))
            await channel.exchange_delete(topology.dead_letter_exchange)
    finally:
        await connection.close()
