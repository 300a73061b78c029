"""The publisher and the worker against the real RabbitMQ."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aio_pika
import pytest

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.messaging.rabbitmq import (
    BrokerTopology,
    Outcome,
    PublishFailed,
    RabbitMQPublisher,
    RabbitMQWorker,
    RetryPolicy,
    UnknownSource,
)
from shared_infrastructure.messaging.rabbitmq.dead_letters import (
    list_dead_letters,
    requeue_dead_letters,
)

from .broker_support import RecordingApply, close_connections, event, eventually, ignore, until
from .conftest import MakeTopology

PRICES = Subscription("events", "ticket_products", "product.price_changed", 1, ignore)
CREATED = Subscription("events", "ticket_products", "product.created", 1, ignore)
AUDIT = Subscription("audit", "prices", "product.price_changed", 1, ignore)
FAST = RetryPolicy(max_deliveries=3, first_pause=0.01, max_pause=0.02)


@asynccontextmanager
async def running(worker: RabbitMQWorker) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(30):
            await worker.started.wait()
        yield task
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def _queue_depth(url: str, name: str) -> int:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, passive=True)
        return queue.declaration_result.message_count or 0
    finally:
        await connection.close()


async def test_every_subscriber_gets_each_event_in_order_per_aggregate(
    broker_url: str, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES, CREATED, AUDIT])
    publisher = RabbitMQPublisher(broker_url, topology)
    events = [event(f"P{n % 7}", n) for n in range(300)]
    events.insert(5, event("P1", 1000, name="product.created"))
    try:
        for start in range(0, len(events), 50):
            await publisher.publish(events[start : start + 50])
    finally:
        await publisher.close()

    apply = RecordingApply()
    async with running(RabbitMQWorker(broker_url, topology, apply, policy=FAST)):
        await eventually(lambda: len(apply.applied) == 2 * 300 + 1)

    for key in ("events.ticket_products", "audit.prices"):
        for aggregate in {e.aggregate_key for e in events}:
            expected = [
                e.payload["n"]
                for e in events
                if e.aggregate_key == aggregate
                and (key != "audit.prices" or e.name != "product.created")
            ]
            got = [n for k, a, n in apply.applied if k == key and a == aggregate]
            assert got == expected, (key, aggregate)


async def test_events_published_before_any_worker_wait_in_their_queue(
    broker_url: str, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES])
    publisher = RabbitMQPublisher(broker_url, topology)
    try:
        await publisher.publish([event("P1", 1), event("P1", 2)])
    finally:
        await publisher.close()

    assert await _queue_depth(broker_url, topology.queue(PRICES.key)) == 2


async def test_an_event_of_an_unknown_context_is_refused_before_sending(
    broker_url: str, make_topology: MakeTopology
) -> None:
    publisher = RabbitMQPublisher(broker_url, make_topology(["events"], [PRICES]))
    try:
        with pytest.raises(UnknownSource, match="product_catalog"):
            await publisher.publish([event("P1", 1)])
    finally:
        await publisher.close()


async def test_an_unreachable_broker_fails_the_batch(make_topology: MakeTopology) -> None:
    publisher = RabbitMQPublisher(
        "amqp://guest:guest@127.0.0.1:1/", make_topology(["product_catalog"], [PRICES])
    )
    with pytest.raises(PublishFailed, match="cannot connect"):
        await publisher.publish([event("P1", 1)])


async def test_a_message_is_acked_only_after_apply_returned(
    broker_url: str, make_topology: MakeTopology
) -> None:
    """A worker stopped inside the handler leaves the message to the next one."""
    topology = make_topology(["product_catalog"], [PRICES])
    publisher = RabbitMQPublisher(broker_url, topology)
    try:
        await publisher.publish([event("P1", 1)])
    finally:
        await publisher.close()

    entered, never = asyncio.Event(), asyncio.Event()

    async def stuck(subscription: Subscription, item: IntegrationEvent) -> bool:
        entered.set()
        await never.wait()
        return True

    async with running(RabbitMQWorker(broker_url, topology, stuck)):
        await asyncio.wait_for(entered.wait(), 30)
    # The worker is gone with the message unacknowledged: the next one gets it.
    apply = RecordingApply()
    async with running(RabbitMQWorker(broker_url, topology, apply)):
        await eventually(lambda: len(apply.applied) == 1)
    assert apply.applied == [("events.ticket_products", "P1", 1)]


async def test_two_workers_apply_each_event_once_in_order(
    broker_url: str, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES, AUDIT])
    apply = RecordingApply()
    first = RabbitMQWorker(broker_url, topology, apply, prefetch=5)
    second = RabbitMQWorker(broker_url, topology, apply, prefetch=5)
    publisher = RabbitMQPublisher(broker_url, topology)
    events = [event(f"P{n % 3}", n) for n in range(200)]
    try:
        async with running(first), running(second):
            for start in range(0, len(events), 20):
                await publisher.publish(events[start : start + 20])
            await eventually(lambda: len(apply.applied) == 400)
    finally:
        await publisher.close()

    assert sum(apply.attempts.values()) == 400  # nobody applied anything twice
    for key in ("events.ticket_products", "audit.prices"):
        for aggregate in ("P0", "P1", "P2"):
            got = [n for k, a, n in apply.applied if k == key and a == aggregate]
            assert got == [e.payload["n"] for e in events if e.aggregate_key == aggregate]


async def test_a_message_failing_every_time_is_parked_then_shown_and_requeued(
    broker_url: str, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES], max_deliveries=3)
    poison = event("P1", 2)
    publisher = RabbitMQPublisher(broker_url, topology)
    refusing = RecordingApply(fail=lambda item: item.id == poison.id)
    worker = RabbitMQWorker(broker_url, topology, refusing, policy=FAST)
    try:
        async with running(worker):
            await publisher.publish([event("P1", 1), poison, event("P1", 3)])
            await eventually(lambda: len(refusing.applied) == 2)
    finally:
        await publisher.close()

    assert refusing.attempts[str(poison.id)] == 3
    assert worker.outcomes[Outcome.DEAD_LETTERED] == 1
    parked = await list_dead_letters(broker_url, topology)
    assert [(p.key, p.message_id, p.reason) for p in parked] == [
        (PRICES.key, str(poison.id), "rejected")
    ]
    assert await list_dead_letters(broker_url, topology) == parked  # showing keeps them

    with pytest.raises(ValueError, match="unknown subscription"):
        await requeue_dead_letters(broker_url, topology, "nobody.here")
    assert (
        await requeue_dead_letters(
            broker_url, topology, PRICES.key, message_ids=[str(uuid.uuid4())]
        )
        == []
    )
    requeued = await requeue_dead_letters(broker_url, topology, PRICES.key)
    assert [r.message_id for r in requeued] == [str(poison.id)]
    assert await list_dead_letters(broker_url, topology) == []

    fixed = RecordingApply()
    async with running(RabbitMQWorker(broker_url, topology, fixed, policy=FAST)):
        await eventually(lambda: len(fixed.applied) == 1)
    assert fixed.applied == [(PRICES.key, "P1", 2)]


async def test_a_message_that_is_no_event_is_parked_untried(
    broker_url: str, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES])
    apply = RecordingApply()
    async with running(RabbitMQWorker(broker_url, topology, apply, policy=FAST)):
        connection = await aio_pika.connect(broker_url)
        try:
            channel = await connection.channel()
            exchange = await channel.get_exchange(topology.exchange("product_catalog"))
            await exchange.publish(
                aio_pika.Message(b"{not json", message_id="garbage"),
                routing_key=PRICES.topic,
            )
        finally:
            await connection.close()

        async def parked() -> bool:
            return len(await list_dead_letters(broker_url, topology)) == 1

        await until(parked)
    assert apply.attempts == {}


async def test_publisher_and_worker_reconnect_after_their_connections_close(
    broker_url: str, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES])
    tag = topology.namespace
    publisher = RabbitMQPublisher(broker_url, topology, connection_name=f"{tag} relay")
    apply = RecordingApply()
    worker = RabbitMQWorker(broker_url, topology, apply, connection_name=f"{tag} worker")
    published = 0

    async def publish_until_confirmed(batch: list[IntegrationEvent]) -> None:
        nonlocal published
        async with asyncio.timeout(60):
            while True:
                try:
                    await publisher.publish(batch)
                except PublishFailed:  # what the relay does: leave pending, retry
                    await asyncio.sleep(0.2)
                    continue
                published += len(batch)
                return

    events = [event(f"P{n % 4}", n) for n in range(120)]
    try:
        async with running(worker):
            await publish_until_confirmed(events[:40])
            await eventually(lambda: len(apply.applied) >= 10)
            assert close_connections(tag) == 2
            await publish_until_confirmed(events[40:80])
            assert close_connections(tag) >= 1
            await publish_until_confirmed(events[80:])
            await eventually(lambda: len(apply.applied) == 120, within=60)
    finally:
        await publisher.close()

    assert published == 120
    assert len(apply.applied) == len(set(apply.applied)) == 120
    for aggregate in ("P0", "P1", "P2", "P3"):
        got = [n for _, a, n in apply.applied if a == aggregate]
        assert got == [e.payload["n"] for e in events if e.aggregate_key == aggregate]


def test_a_topology_refuses_two_subscriptions_of_one_key_on_one_topic() -> None:
    with pytest.raises(ValueError, match="two subscriptions"):
        BrokerTopology(("product_catalog",), (PRICES, PRICES))


def test_a_worker_refuses_keys_no_subscription_has() -> None:
    topology = BrokerTopology(("product_catalog",), (PRICES,))
    apply: Callable[[Subscription, IntegrationEvent], Awaitable[bool]] = RecordingApply()
    with pytest.raises(ValueError, match=r"nobody\.here"):
        RabbitMQWorker("amqp://x/", topology, apply, keys=["nobody.here"])


async def test_a_worker_started_before_the_broker_waits_for_it(
    caplog: pytest.LogCaptureFixture, make_topology: MakeTopology
) -> None:
    topology = make_topology(["product_catalog"], [PRICES])
    worker = RabbitMQWorker("amqp://guest:guest@127.0.0.1:1/", topology, RecordingApply())
    task = asyncio.create_task(worker.run())
    await eventually(lambda: "broker not reachable" in caplog.text)
    assert not task.done()  # still trying, not crashed
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not worker.started.is_set()
