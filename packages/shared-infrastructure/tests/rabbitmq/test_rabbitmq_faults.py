"""Faults on a database server with RabbitMQ: relays and workers in
processes of their own, killed, disconnected, fed a poison message.

Every test counts the events published (outbox rows marked sent), applied
(distinct rows the handlers committed) and applied twice (committed rows
beyond one per event and consumer): nothing may be lost, nothing applied
twice, and each consumer applies one aggregate's events in order.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging.outbox import write_to_outbox
from shared_infrastructure.messaging.rabbitmq import BrokerTopology
from shared_infrastructure.messaging.rabbitmq.dead_letters import (
    list_dead_letters,
    requeue_dead_letters,
)
from shared_infrastructure.messaging.records import OutboxRecord
from shared_infrastructure.testing.throwaway import throwaway_database

from .broker_support import close_connections, ignore, wait_for_connections
from .fault_process import (
    EVENT_NAME,
    FAULT_APPLIED,
    FAULT_METADATA,
    SOURCE,
    parser,
    run_relay,
    run_worker,
)

SCRIPT = Path(__file__).with_name("fault_process.py")
CONSUMERS = ("alpha.items", "beta.items")
KEYS = 5


@pytest.fixture(scope="module")
def server_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    if db_kind == "sqlite":
        pytest.skip("relays and workers in several processes need a database server")
    with throwaway_database(db_kind, tmp_path_factory.mktemp("faults")) as url:
        engine = create_engine(url)
        try:
            tables = [
                Base.metadata.tables[name]
                for name in ("messaging_outbox", "messaging_inbox", "messaging_parked")
            ]
            Base.metadata.create_all(engine, tables=tables)
            FAULT_METADATA.create_all(engine)
        finally:
            engine.dispose()
        yield url


@dataclass
class InProcess:
    task: asyncio.Task[Any]
    stop: asyncio.Event
    database: AsyncDatabase

    async def finish(self) -> Any:
        self.stop.set()
        try:
            return await asyncio.wait_for(self.task, 60)
        finally:
            await self.database.dispose()


@dataclass
class Run:
    """One fault scenario: its database, namespace and processes."""

    url: URL
    engine: Engine
    broker: str
    namespace: str
    folder: Path
    processes: list[subprocess.Popen[bytes]]
    tasks: list[InProcess] = field(default_factory=list)

    @property
    def db(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def start(self, role: str, *options: str, report: str | None = None) -> subprocess.Popen[bytes]:
        argv = [
            sys.executable,
            str(SCRIPT),
            role,
            "--db",
            self.db,
            "--broker",
            self.broker,
            "--namespace",
            self.namespace,
            *options,
        ]
        if report is not None:
            argv += ["--report", str(self.folder / report)]
        process = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(SCRIPT.parent)})
        self.processes.append(process)
        return process

    def task(self, role: str, *options: str) -> InProcess:
        """A relay or worker as a task of this process (for faults that kill
        no process: a process of its own costs seconds of imports)."""
        args = parser().parse_args(
            [
                role,
                "--db",
                self.db,
                "--broker",
                self.broker,
                "--namespace",
                self.namespace,
                "--report",
                str(self.folder / f"{role}.json"),
                *options,
            ]
        )
        database = AsyncDatabase.from_settings(load_settings(database_url=self.db))
        stop = asyncio.Event()
        body = (
            run_relay(database, args, stop) if role == "relay" else run_worker(database, args, stop)
        )
        started = InProcess(asyncio.create_task(body), stop, database)
        self.tasks.append(started)
        return started

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)

    def write_events(self, first: int, count: int) -> list[IntegrationEvent]:
        events = [
            IntegrationEvent(
                source=SOURCE,
                name=EVENT_NAME,
                version=1,
                aggregate_key=f"K{n % KEYS}",
                payload={"n": n},
            )
            for n in range(first, first + count)
        ]
        from sqlalchemy.orm import Session

        with Session(self.engine) as session, session.begin():
            write_to_outbox(session, events)
        return events

    def counts(self) -> tuple[int, int, int]:
        """(published, applied, applied twice)."""
        with self.engine.connect() as connection:
            published = connection.scalar(
                select(func.count())
                .select_from(OutboxRecord)
                .where(OutboxRecord.sent_at.is_not(None))
            )
            rows = connection.scalar(select(func.count()).select_from(FAULT_APPLIED))
            distinct = connection.scalar(
                select(func.count()).select_from(
                    select(FAULT_APPLIED.c.consumer, FAULT_APPLIED.c.message_id)
                    .distinct()
                    .subquery()
                )
            )
        return int(published or 0), int(distinct or 0), int(rows or 0) - int(distinct or 0)

    def applied_order(self, consumer: str, key: str) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.scalars(
                    select(FAULT_APPLIED.c.n)
                    .where(
                        FAULT_APPLIED.c.consumer == consumer, FAULT_APPLIED.c.aggregate_key == key
                    )
                    .order_by(FAULT_APPLIED.c.id)
                )
            )

    async def settle(self, published: int, applied: int, within: float = 120.0) -> None:
        async with asyncio.timeout(within):
            while True:
                failed = [p.args for p in self.processes if p.poll() not in (None, 0, -9)]
                assert not failed, f"a process failed: {failed}"
                for each in self.tasks:
                    if each.task.done() and not each.stop.is_set():
                        each.task.result()  # its failure, if it failed
                        raise AssertionError("a relay or worker task ended by itself")
                if self.counts()[:2] >= (published, applied):
                    return
                await asyncio.sleep(0.2)

    def assert_in_order(
        self, events: list[IntegrationEvent], skipped: frozenset[int] = frozenset()
    ) -> None:
        for consumer in CONSUMERS:
            for k in range(KEYS):
                expected = [
                    e.payload["n"]
                    for e in events
                    if e.aggregate_key == f"K{k}" and e.payload["n"] not in skipped
                ]
                assert self.applied_order(consumer, f"K{k}") == expected, (consumer, k)


@pytest.fixture
async def run(server_url: URL, broker_url: str, tmp_path: Path) -> AsyncIterator[Run]:
    engine = create_engine(server_url)
    with engine.begin() as connection:
        for table in ("fault_applied", "messaging_inbox", "messaging_outbox", "messaging_parked"):
            connection.execute(text(f"DELETE FROM {table}"))
    scenario = Run(server_url, engine, broker_url, f"fault-{uuid.uuid4().hex[:10]}", tmp_path, [])
    try:
        yield scenario
    finally:
        for each in scenario.tasks:
            if not each.task.done():
                # Stopped, not cancelled: a cancelled worker's broker callbacks
                # (tasks of their own) would go on applying prefetched messages
                # into the next test's tables.
                each.stop.set()
                try:
                    await asyncio.wait_for(each.task, 60)
                except BaseException:
                    each.task.cancel()
                    await asyncio.gather(each.task, return_exceptions=True)
                await each.database.dispose()
        for process in scenario.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        engine.dispose()
        topology = BrokerTopology((SOURCE,), (), namespace=scenario.namespace)
        amqp = await aio_pika.connect(broker_url)
        try:
            channel = await amqp.channel()
            for consumer in CONSUMERS:
                await channel.queue_delete(topology.queue(consumer))
                await channel.queue_delete(topology.dead_letter_queue(consumer))
            await channel.exchange_delete(topology.exchange(SOURCE))
            await channel.exchange_delete(topology.dead_letter_exchange)
        finally:
            await amqp.close()


def _report(run: Run, name: str) -> dict[str, int]:
    data = json.loads((run.folder / name).read_text())
    assert isinstance(data, dict)
    return {str(key): int(value) for key, value in data.items()}


async def test_connections_closed_mid_stream_lose_and_duplicate_nothing(run: Run) -> None:
    relay = run.task("relay")
    worker = run.task("worker")
    events = run.write_events(0, 100)
    await run.settle(published=20, applied=0)
    for _ in range(2):
        # The relay's and the worker's: wait until both are (re)connected.
        await wait_for_connections(run.namespace, 2)
        assert close_connections(run.namespace) == 2
        events += run.write_events(len(events), 100)
        await asyncio.sleep(0.5)
    await run.settle(published=len(events), applied=2 * len(events))
    await relay.finish()
    await worker.finish()

    assert run.counts() == (len(events), 2 * len(events), 0)
    run.assert_in_order(events)


async def test_a_relay_killed_between_publish_and_mark_loses_nothing(run: Run) -> None:
    worker = run.start("worker", report="worker.json")
    events = run.write_events(0, 300)
    dying = run.start("relay", "--die-after-publish", "2")
    assert dying.wait(timeout=120) == -signal.SIGKILL
    published_before_restart = run.counts()[0]
    assert published_before_restart < len(events)  # its last batch was never marked

    relay = run.start("relay")
    await run.settle(published=len(events), applied=2 * len(events))
    run.stop(relay)
    run.stop(worker)

    assert run.counts() == (len(events), 2 * len(events), 0)
    run.assert_in_order(events)
    outcomes = _report(run, "worker.json")
    assert outcomes.get("duplicate", 0) >= 1  # the unmarked batch came twice, applied once


async def test_a_worker_killed_inside_a_handler_loses_nothing(run: Run) -> None:
    dying = run.start("worker", "--die-in-handler", "42", report="first.json")
    relay = run.start("relay")
    events = run.write_events(0, 200)
    assert dying.wait(timeout=120) == -signal.SIGKILL
    standby = run.start("worker", report="second.json")
    await run.settle(published=len(events), applied=2 * len(events))
    run.stop(relay)
    run.stop(standby)

    assert run.counts() == (len(events), 2 * len(events), 0)
    run.assert_in_order(events)


async def test_a_poison_message_is_parked_and_the_rest_applied_once(run: Run) -> None:
    worker = run.task("worker", "--poison", "7")
    relay = run.task("relay")
    events = run.write_events(0, 100)
    await run.settle(published=len(events), applied=2 * (len(events) - 1))
    outcomes = await worker.finish()
    assert outcomes["dead-lettered"] == 2  # one per consumer

    assert run.counts() == (len(events), 2 * (len(events) - 1), 0)
    run.assert_in_order(events, skipped=frozenset({7}))
    poison = next(e for e in events if e.payload["n"] == 7)
    known = BrokerTopology(
        (SOURCE,),
        tuple(Subscription(c.split(".")[0], "items", EVENT_NAME, 1, ignore) for c in CONSUMERS),
        namespace=run.namespace,
        max_deliveries=3,
    )
    parked = await list_dead_letters(run.broker, known)
    assert sorted((p.key, p.message_id) for p in parked) == [
        (consumer, str(poison.id)) for consumer in CONSUMERS
    ]

    # Fixed: the handler no longer fails; requeued, each consumer applies it once.
    fixed = run.task("worker")
    for consumer in CONSUMERS:
        await requeue_dead_letters(run.broker, known, consumer)
    await run.settle(published=len(events), applied=2 * len(events))
    await fixed.finish()
    await relay.finish()
    assert run.counts() == (len(events), 2 * len(events), 0)
