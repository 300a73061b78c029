"""Broker settings, the worker's stop, and the dead-letter commands' work
(``api broker ...``) against the real RabbitMQ."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest

from api.broker import BrokerSettings, load_broker_settings
from api.worker import consume_until_stopped, requeue, show_dead_letters
from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import SettingsError
from shared_infrastructure.messaging.rabbitmq import BrokerTopology, RabbitMQWorker

BROKER_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def _ignore(event: IntegrationEvent) -> None:
    return None


PRICES = Subscription("events", "ticket_products", "product.price_changed", 1, _ignore)


def test_without_broker_url_events_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROKER_URL", raising=False)
    settings = load_broker_settings(_env_file=None)
    assert not settings.enabled
    assert "in process" in settings.describe()


def test_broker_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER_URL", "amqp://app:secret@mq:5672/")
    monkeypatch.setenv("BROKER_NAMESPACE", "shop")
    monkeypatch.setenv("BROKER_MAX_DELIVERIES", "7")
    settings = load_broker_settings(_env_file=None)
    assert settings.enabled
    assert "secret" not in settings.describe()
    topology = settings.topology(["product_catalog"], [PRICES])
    assert topology.queue(PRICES.key) == "shop.events.ticket_products"
    assert topology.max_deliveries == 7


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("BROKER_URL", "http://mq:5672/", "BROKER_URL"),
        ("BROKER_MAX_DELIVERIES", "0", "BROKER_MAX_DELIVERIES"),
        ("BROKER_PREFETCH", "many", "BROKER_PREFETCH"),
        ("BROKER_NAMESPACE", "has space", "BROKER_NAMESPACE"),
    ],
)
def test_a_bad_broker_setting_fails_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=named):
        load_broker_settings(_env_file=None)


def test_a_bad_url_error_hides_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER_URL", "http://app:secret@mq/")
    with pytest.raises(SettingsError) as error:
        load_broker_settings(_env_file=None)
    assert "secret" not in str(error.value)


@pytest.fixture
async def topology() -> AsyncIterator[BrokerTopology]:
    made = BrokerTopology(
        ("product_catalog",), (PRICES,), namespace=f"test-{uuid.uuid4().hex[:12]}"
    )
    yield made
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        await channel.queue_delete(made.queue(PRICES.key))
        await channel.queue_delete(made.dead_letter_queue(PRICES.key))
        await channel.exchange_delete(made.exchange("product_catalog"))
        await channel.exchange_delete(made.dead_letter_exchange)
    finally:
        await connection.close()


async def _park(topology: BrokerTopology, event: IntegrationEvent) -> None:
    """Put ``event`` in the dead-letter queue as a worker would."""
    from shared_infrastructure.messaging.rabbitmq.envelope import to_message

    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await topology.declare(channel)
        exchange = await channel.get_exchange(topology.dead_letter_exchange)
        await exchange.publish(to_message(event), routing_key=PRICES.key)
    finally:
        await connection.close()


def _event() -> IntegrationEvent:
    return IntegrationEvent(
        source="product_catalog",
        name=PRICES.name,
        version=1,
        aggregate_key="P1",
        payload={"amount": "1.00"},
    )


async def test_dead_letters_are_shown_then_requeued_by_id(topology: BrokerTopology) -> None:
    broker = BrokerSettings(url=BROKER_URL, namespace=topology.namespace)
    parked, kept = _event(), _event()
    await _park(topology, parked)
    await _park(topology, kept)

    lines = await show_dead_letters(broker, topology, key=None, limit=10)
    assert [str(parked.id) in line for line in lines] == [True, False]
    assert all(PRICES.key in line and "product.price_changed.v1" in line for line in lines)

    with pytest.raises(ValueError, match="not a message id"):
        await requeue(broker, topology, PRICES.key, message_ids=["nope"], limit=10)
    missing = str(uuid.uuid4())
    with pytest.raises(LookupError, match=missing):
        await requeue(broker, topology, PRICES.key, message_ids=[missing], limit=10)

    out = await requeue(broker, topology, PRICES.key, message_ids=[str(parked.id)], limit=10)
    assert out[0].startswith("requeued 1 message(s)")
    lines = await show_dead_letters(broker, topology, key=PRICES.key, limit=10)
    assert len(lines) == 1
    assert str(kept.id) in lines[0]

    out = await requeue(broker, topology, PRICES.key, message_ids=None, limit=10)
    assert out[0].startswith("requeued 1 message(s)")
    assert await show_dead_letters(broker, topology, key=None, limit=10) == [
        "no dead-lettered messages"
    ]


async def test_the_commands_need_a_broker(topology: BrokerTopology) -> None:
    with pytest.raises(ValueError, match="BROKER_URL"):
        await show_dead_letters(BrokerSettings(url=None), topology, key=None, limit=1)


async def test_a_stopped_worker_returns_and_leaves_unapplied_events_queued(
    topology: BrokerTopology,
) -> None:
    entered = asyncio.Event()

    async def slow(subscription: Subscription, event: IntegrationEvent) -> bool:
        entered.set()
        await asyncio.Event().wait()
        return True

    from shared_infrastructure.messaging.rabbitmq import RabbitMQPublisher

    publisher = RabbitMQPublisher(BROKER_URL, topology)
    try:
        await publisher.publish([_event()])
    finally:
        await publisher.close()
    stop = asyncio.Event()
    worker = RabbitMQWorker(BROKER_URL, topology, slow)
    consuming = asyncio.create_task(consume_until_stopped(worker, stop))
    await asyncio.wait_for(entered.wait(), 30)
    stop.set()
    await asyncio.wait_for(consuming, 30)

    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(topology.queue(PRICES.key), passive=True)
        assert queue.declaration_result.message_count == 1
    finally:
        await connection.close()
