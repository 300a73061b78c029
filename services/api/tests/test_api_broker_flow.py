"""The service with ``BROKER_URL``: the relay publishes the catalog's events
to RabbitMQ, the API process applies none of them, and a worker (the code
``api worker`` runs) applies each once, through the inbox."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aio_pika
import httpx
import pytest
import pytest_asyncio
from sqlalchemy import Engine, func, select

from api.app import create_app
from api.broker import BrokerSettings
from api.contexts import CONTEXTS
from api.messaging import service_topology
from api.worker import run_worker
from api.worker_cli import run_broker_command, run_worker_command
from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging import Inbox
from shared_infrastructure.messaging.rabbitmq import BrokerTopology
from shared_infrastructure.messaging.records import InboxRecord, OutboxRecord
from shared_infrastructure.testing.plugin import empty_all_tables

BROKER_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture
def cleanup(sync_engine: Engine) -> Iterator[None]:
    yield
    empty_all_tables(sync_engine)


def count(engine: Engine, statement: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(statement) or 0)


async def eventually(check: Callable[[], bool], seconds: float = 30.0) -> None:
    async with asyncio.timeout(seconds):
        while True:
            if check():
                return
            await asyncio.sleep(0.05)


@pytest_asyncio.fixture(loop_scope="session")
async def broker(cleanup: None) -> AsyncIterator[BrokerSettings]:
    settings = BrokerSettings(url=BROKER_URL, namespace=f"test-{uuid.uuid4().hex[:12]}")
    yield settings
    topology = BrokerTopology(
        tuple(context.name for context in CONTEXTS), (), namespace=settings.namespace
    )
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        for key in ("events.probe",):
            await channel.queue_delete(topology.queue(key))
            await channel.queue_delete(topology.dead_letter_queue(key))
        for source in topology.sources:
            await channel.exchange_delete(topology.exchange(source))
        await channel.exchange_delete(topology.dead_letter_exchange)
    finally:
        await connection.close()


def probe_contexts(received: list[IntegrationEvent]) -> tuple[Any, ...]:
    def probe(database: AsyncDatabase) -> list[Subscription]:
        async def handler(event: IntegrationEvent) -> None:
            received.append(event)

        return [Subscription("events", "probe", "product.created", 1, handler)]

    return tuple(
        dataclasses.replace(context, subscriptions=probe) if context.name == "events" else context
        for context in CONTEXTS
    )


async def test_with_a_broker_the_api_publishes_and_a_worker_applies_once(
    db_settings: Settings,
    sync_engine: Engine,
    broker: BrokerSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    received: list[IntegrationEvent] = []
    contexts = probe_contexts(received)
    caplog.set_level("INFO")
    app = create_app(db_settings, contexts=contexts, broker=broker)
    async with app.router.lifespan_context(app):
        assert "does not consume" in caplog.text
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            created = await client.post(
                "/products",
                json={
                    "code": "MQ100001",
                    "name": "Product MQ100001",
                    "price": {"amount": "25.00", "currency": "EUR"},
                },
            )
            assert created.status_code == 201
            pending = select(func.count()).where(OutboxRecord.sent_at.is_(None))
            await eventually(lambda: count(sync_engine, pending) == 0)
    assert received == []  # the API process applies nothing

    database = AsyncDatabase.from_settings(db_settings)
    stop = asyncio.Event()
    try:
        topology = service_topology(broker, database, contexts)
        worker = asyncio.create_task(run_worker(broker, topology, Inbox(database).apply, stop=stop))
        await eventually(lambda: len(received) == 1)
        stop.set()
        await asyncio.wait_for(worker, 30)
    finally:
        await database.dispose()

    assert [(e.name, e.aggregate_key) for e in received] == [("product.created", "MQ100001")]
    inbox = select(func.count()).where(InboxRecord.consumer == "events.probe")
    assert count(sync_engine, inbox) == 1


def test_worker_and_broker_commands_need_a_broker_url(
    db_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    monkeypatch.delenv("BROKER_URL", raising=False)
    monkeypatch.chdir(os.path.dirname(__file__))  # no .env here
    assert run_worker_command(argparse.Namespace(subscription=None), db_settings) == 1
    assert "BROKER_URL is not set" in capsys.readouterr().err
    args = argparse.Namespace(action="dead-letters", subscription=None, limit=10)
    assert run_broker_command(args, db_settings) == 1
    assert "BROKER_URL is not set" in capsys.readouterr().err


def test_the_broker_commands_refuse_an_unknown_subscription(
    db_settings: Settings,
    broker: BrokerSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse

    monkeypatch.setenv("BROKER_URL", BROKER_URL)
    monkeypatch.setenv("BROKER_NAMESPACE", broker.namespace)
    args = argparse.Namespace(action="requeue", key="nobody.here", message_id=None, limit=10)
    assert run_broker_command(args, db_settings) == 1
    assert "unknown subscription 'nobody.here'" in capsys.readouterr().err
