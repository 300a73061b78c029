"""Publishing integration events to RabbitMQ: ours against bare aio-pika.

``bare, one by one`` is the canonical aio-pika publisher-confirms loop
(send a persistent message, await its confirm, next); ``bare, batched``
sends a batch and awaits its confirms together, the fastest aio-pika
allows with confirms; ``ours`` is :class:`RabbitMQPublisher` given the
same batches (what the outbox relay calls per claimed batch). Every
contender publishes the same events to the same kind of exchange and
durable quorum queue, in a throwaway namespace deleted at the end. Run::

    uv run --group bench python -m bench.broker_publish --events 5000 --batch 100
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import aio_pika
from aio_pika.abc import AbstractChannel

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.messaging.rabbitmq import BrokerTopology, RabbitMQPublisher
from shared_infrastructure.messaging.rabbitmq.envelope import to_message

DEFAULT_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def _ignore(event: IntegrationEvent) -> None:
    return None


SUBSCRIPTION = Subscription("bench", "prices", "product.price_changed", 1, _ignore)


def make_events(count: int) -> list[IntegrationEvent]:
    return [
        IntegrationEvent(
            source="product_catalog",
            name="product.price_changed",
            version=1,
            aggregate_key=f"P{n % 100}",
            payload={"code": f"P{n % 100}", "amount": "25.00", "currency": "EUR"},
        )
        for n in range(count)
    ]


def batches(events: Sequence[IntegrationEvent], size: int) -> list[Sequence[IntegrationEvent]]:
    return [events[start : start + size] for start in range(0, len(events), size)]


async def bare_one_by_one(
    channel: AbstractChannel,
    topology: BrokerTopology,
    events: Sequence[IntegrationEvent],
    batch: int,
) -> None:
    exchange = await channel.get_exchange(topology.exchange("product_catalog"))
    for event in events:
        await exchange.publish(to_message(event), routing_key=event.topic, mandatory=False)


async def bare_batched(
    channel: AbstractChannel,
    topology: BrokerTopology,
    events: Sequence[IntegrationEvent],
    batch: int,
) -> None:
    exchange = await channel.get_exchange(topology.exchange("product_catalog"))
    for chunk in batches(events, batch):
        await asyncio.gather(
            *(exchange.publish(to_message(e), routing_key=e.topic, mandatory=False) for e in chunk)
        )


async def main_async(args: argparse.Namespace) -> None:
    topology = BrokerTopology(
        ("product_catalog",), (SUBSCRIPTION,), namespace=f"bench-{uuid.uuid4().hex[:8]}"
    )
    connection = await aio_pika.connect(args.url)
    channel = await connection.channel(publisher_confirms=True)
    queue = (await topology.declare(channel))[SUBSCRIPTION.key]
    publisher = RabbitMQPublisher(args.url, topology)

    async def ours(
        _: AbstractChannel, __: BrokerTopology, events: Sequence[IntegrationEvent], batch: int
    ) -> None:
        for chunk in batches(events, batch):
            await publisher.publish(chunk)

    contenders: dict[str, Callable[..., Awaitable[None]]] = {
        "bare, one by one": bare_one_by_one,
        "bare, batched": bare_batched,
        "ours (RabbitMQPublisher)": ours,
    }
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    try:
        await ours(channel, topology, make_events(args.batch), args.batch)  # connect, warm up
        for round_ in range(args.rounds):
            order = list(contenders)[round_ % 3 :] + list(contenders)[: round_ % 3]
            for name in order:
                events = make_events(args.events)
                started = time.perf_counter()
                await contenders[name](channel, topology, events, args.batch)
                rates[name].append(len(events) / (time.perf_counter() - started))
                await queue.purge()
    finally:
        await publisher.close()
        await channel.queue_delete(topology.queue(SUBSCRIPTION.key))
        await channel.queue_delete(topology.dead_letter_queue(SUBSCRIPTION.key))
        await channel.exchange_delete(topology.exchange("product_catalog"))
        await channel.exchange_delete(topology.dead_letter_exchange)
        await connection.close()

    ours_rate = statistics.median(rates["ours (RabbitMQPublisher)"])
    print(
        f"{args.events} persistent events per round, batches of {args.batch}, "
        f"{args.rounds} rounds (median events/s)"
    )
    print(f"{'publisher':28} {'events/s':>10} {'ours / it':>10}")
    for name, samples in rates.items():
        rate = statistics.median(samples)
        print(f"{name:28} {rate:10.0f} {ours_rate / rate:10.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
