"""The outbox relay on RabbitMQ, and integration events end to end.

``throughput``: N outbox rows on PostgreSQL (or MariaDB), relayed by
:class:`OutboxRelay` through :class:`RabbitMQPublisher` (claim, publish with
confirms, mark sent), against a bare aio-pika publisher-confirms loop over
the same events in the same run: one by one (await each confirm) and
batched (await a batch's confirms together).

``latency``: events committed one per transaction at a fixed rate, the
relay running in this process (woken by each commit), and 1 or 2 worker
processes applying them through the inbox; each application records, in
its own transaction, the time since the producer's commit began. Reports
p50/p99/max. Run::

    uv run --group bench python -m bench.broker_relay throughput --db postgresql
    uv run --group bench python -m bench.broker_relay latency --db postgresql --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import aio_pika
from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging import Inbox, OutboxRelay, RelaySettings
from shared_infrastructure.messaging.outbox import write_to_outbox
from shared_infrastructure.messaging.rabbitmq import (
    BrokerTopology,
    RabbitMQPublisher,
    RabbitMQWorker,
)
from shared_infrastructure.messaging.rabbitmq.envelope import to_message
from shared_infrastructure.testing.throwaway import throwaway_database

BROKER_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
SOURCE = "catalog"
NAME = "item.changed"
BENCH = MetaData()
LATENCY = Table(
    "bench_latency",
    BENCH,
    Column("message_id", String(36), primary_key=True),
    Column("consumer", String(100), primary_key=True),
    Column("seconds", Float, nullable=False),
)


def subscriptions(database: AsyncDatabase | None) -> tuple[Subscription, ...]:
    async def record(event: IntegrationEvent) -> None:
        started = event.payload["t"]
        assert isinstance(started, float)
        assert database is not None
        await database.session.execute(
            insert(LATENCY).values(
                message_id=str(event.id), consumer="bench.items", seconds=time.time() - started
            )
        )

    return (Subscription("bench", "items", NAME, 1, record),)


def topology(namespace: str) -> BrokerTopology:
    return BrokerTopology((SOURCE,), subscriptions(None), namespace=namespace)


def event(n: int) -> IntegrationEvent:
    return IntegrationEvent(
        source=SOURCE,
        name=NAME,
        version=1,
        aggregate_key=f"K{n % 50}",
        payload={"n": n, "t": time.time()},
    )


async def delete_topology(namespace: str) -> None:
    shape = topology(namespace)
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        for key in shape.keys:
            await channel.queue_delete(shape.queue(key))
            await channel.queue_delete(shape.dead_letter_queue(key))
        await channel.exchange_delete(shape.exchange(SOURCE))
        await channel.exchange_delete(shape.dead_letter_exchange)
    finally:
        await connection.close()


def prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        tables = [Base.metadata.tables[name] for name in ("messaging_outbox", "messaging_inbox")]
        Base.metadata.create_all(engine, tables=tables)
        BENCH.create_all(engine)
    finally:
        engine.dispose()


# -- throughput -------------------------------------------------------------------


async def throughput(url: str, args: argparse.Namespace) -> None:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    shape = topology(namespace)
    engine = create_engine(url)
    database = AsyncDatabase.from_settings(load_settings(database_url=url))
    connection = await aio_pika.connect(BROKER_URL)
    rates: dict[str, list[float]] = {"relay": [], "bare, batched": [], "bare, one by one": []}
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue = (await shape.declare(channel))[shape.keys[0]]
        exchange = await channel.get_exchange(shape.exchange(SOURCE))
        publisher = RabbitMQPublisher(BROKER_URL, shape)
        relay = OutboxRelay(database, publisher, RelaySettings(batch_size=args.batch))
        for round_ in range(args.rounds):
            events = [event(n) for n in range(args.events)]
            with Session(engine) as session, session.begin():
                write_to_outbox(session, events)
            started = time.perf_counter()
            relayed = 0
            while delivered := await relay.relay_once():
                relayed += delivered
            assert relayed == len(events)
            rates["relay"].append(relayed / (time.perf_counter() - started))

            started = time.perf_counter()
            for first in range(0, len(events), args.batch):
                await asyncio.gather(
                    *(
                        exchange.publish(to_message(e), routing_key=e.topic, mandatory=False)
                        for e in events[first : first + args.batch]
                    )
                )
            rates["bare, batched"].append(len(events) / (time.perf_counter() - started))

            few = events[: max(1, len(events) // 5)]
            started = time.perf_counter()
            for item in few:
                await exchange.publish(to_message(item), routing_key=item.topic, mandatory=False)
            rates["bare, one by one"].append(len(few) / (time.perf_counter() - started))
            await queue.purge()
            print(
                f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in rates.items())
            )
        await publisher.close()
    finally:
        await connection.close()
        await database.dispose()
        engine.dispose()
        await delete_topology(namespace)
    relay_rate = statistics.median(rates["relay"])
    print(f"\n{args.events} events per round, batches of {args.batch}, median of {args.rounds}")
    print(f"{'publisher':20} {'events/s':>9} {'relay / it':>11}")
    for name, samples in rates.items():
        rate = statistics.median(samples)
        print(f"{name:20} {rate:9.0f} {relay_rate / rate:10.2f}x")


# -- latency ----------------------------------------------------------------------


async def worker_process(args: argparse.Namespace) -> None:
    database = AsyncDatabase.from_settings(load_settings(database_url=args.db_url))
    shape = BrokerTopology((SOURCE,), subscriptions(database), namespace=args.namespace)
    worker = RabbitMQWorker(BROKER_URL, shape, Inbox(database).apply)
    try:
        await worker.run()
    finally:
        await database.dispose()


async def consumers_ready(namespace: str, count: int) -> None:
    """Wait until ``count`` workers consume (they take seconds to import)."""
    shape = topology(namespace)
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        await shape.declare(channel)
        async with asyncio.timeout(300):
            while True:
                queue = await channel.declare_queue(shape.queue(shape.keys[0]), passive=True)
                if (queue.declaration_result.consumer_count or 0) >= count:
                    return
                await asyncio.sleep(0.2)
    finally:
        await connection.close()


async def latency(url: str, args: argparse.Namespace) -> None:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    database = AsyncDatabase.from_settings(load_settings(database_url=url))
    publisher = RabbitMQPublisher(BROKER_URL, topology(namespace))
    relay = OutboxRelay(database, publisher, RelaySettings(batch_size=args.batch))
    workers = [
        subprocess.Popen(  # noqa: ASYNC220 - started once, before the clock
            [
                sys.executable,
                "-m",
                "bench.broker_relay",
                "worker",
                "--db-url",
                url,
                "--namespace",
                namespace,
            ],
        )
        for _ in range(args.workers)
    ]
    total = int(args.rate * args.seconds)
    try:
        await publisher.publish([])  # nothing: the first real batch connects
        relaying = asyncio.create_task(relay.run())
        await consumers_ready(namespace, args.workers)
        started = time.perf_counter()
        for n in range(total):
            due = started + n / args.rate
            pause = due - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            async with database.transaction() as session:
                await session.run_sync(write_to_outbox, [event(n)])
        produced = total / (time.perf_counter() - started)
        async with asyncio.timeout(300):
            while True:
                with engine.connect() as connection:
                    seconds = list(connection.scalars(select(LATENCY.c.seconds)))
                if len(seconds) >= total:
                    break
                await asyncio.sleep(0.5)
        relay.stop()
        await relaying
    finally:
        for process in workers:
            process.terminate()
            process.wait(timeout=60)
        await publisher.close()
        await database.dispose()
        engine.dispose()
        await delete_topology(namespace)
    ms = sorted(1000 * s for s in seconds)
    p50 = ms[len(ms) // 2]
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"{total} events at {args.rate:.0f}/s (produced {produced:.0f}/s), "
        f"{args.workers} worker(s): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="outbox relay on RabbitMQ")
    parser.add_argument("mode", choices=["throughput", "latency", "worker"])
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "mariadb"])
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--namespace", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=500.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.mode == "worker":
        asyncio.run(worker_process(args))
        return 0
    with tempfile.TemporaryDirectory() as folder, throwaway_database(args.db, Path(folder)) as url:
        rendered = url.render_as_string(hide_password=False)
        prepare(rendered)
        run = throughput if args.mode == "throughput" else latency
        asyncio.run(run(rendered, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
