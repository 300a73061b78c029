"""A relay or a worker in a process of its own, for the fault tests.

    python fault_process.py relay  --db URL --broker URL --namespace NS [--die-after-publish N]
    python fault_process.py worker --db URL --broker URL --namespace NS [--die-in-handler N]
                                   [--poison N] [--report FILE]

The worker's handler records each event it applies in ``fault_applied``,
inside the inbox's transaction: a row there is an application that
committed. ``--die-in-handler N`` kills the process (SIGKILL) inside the
handler of event ``n == N`` after its row was written, before the commit,
once (a marker file next to the report remembers it). ``--poison N``
fails event ``n == N`` every time. ``--die-after-publish N`` kills the
relay right after its N-th confirmed publish, before the rows are marked.
SIGTERM stops either cleanly; the worker then writes its outcome counts to
``--report``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import load_settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging import Inbox, OutboxRelay, RelaySettings
from shared_infrastructure.messaging.rabbitmq import (
    BrokerTopology,
    RabbitMQPublisher,
    RabbitMQWorker,
    RetryPolicy,
)

FAULT_METADATA = MetaData()
FAULT_APPLIED = Table(
    "fault_applied",
    FAULT_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(200), nullable=False),
    Column("message_id", String(36), nullable=False),
    Column("aggregate_key", String(200), nullable=False),
    Column("n", Integer, nullable=False),
)
SOURCE = "catalog"
EVENT_NAME = "item.changed"


def subscriptions(database: AsyncDatabase, args: argparse.Namespace) -> tuple[Subscription, ...]:
    marker = Path(args.report).with_suffix(".died") if args.report else None

    def handler_for(consumer: str):  # type: ignore[no-untyped-def]
        async def handle(event: IntegrationEvent) -> None:
            n = event.payload["n"]
            assert isinstance(n, int)
            if args.poison is not None and n == args.poison:
                raise RuntimeError(f"poison event {n}")
            await database.session.execute(
                insert(FAULT_APPLIED).values(
                    consumer=consumer,
                    message_id=str(event.id),
                    aggregate_key=event.aggregate_key,
                    n=n,
                )
            )
            await database.session.flush()
            if args.die_in_handler == n and marker is not None and not marker.exists():
                marker.write_text("died")
                os.kill(os.getpid(), signal.SIGKILL)

        return handle

    return tuple(
        Subscription(subscriber, "items", EVENT_NAME, 1, handler_for(f"{subscriber}.items"))
        for subscriber in ("alpha", "beta")
    )


def topology(args: argparse.Namespace, subs: Sequence[Subscription]) -> BrokerTopology:
    return BrokerTopology((SOURCE,), tuple(subs), namespace=args.namespace, max_deliveries=3)


class DyingPublisher:
    """Publishes, then kills the process after the N-th confirmed batch."""

    def __init__(self, inner: RabbitMQPublisher, die_after: int | None) -> None:
        self._inner, self._die_after, self._published = inner, die_after, 0

    async def publish(self, events: Sequence[IntegrationEvent]) -> None:
        await self._inner.publish(events)
        self._published += 1
        if self._die_after is not None and self._published >= self._die_after:
            os.kill(os.getpid(), signal.SIGKILL)


def write_report(path: str, counts: dict[str, int]) -> None:
    Path(path).write_text(json.dumps(counts))


async def run_relay(database: AsyncDatabase, args: argparse.Namespace, stop: asyncio.Event) -> None:
    subs = subscriptions(database, args)
    name = f"{args.namespace} relay"
    inner = RabbitMQPublisher(args.broker, topology(args, subs), connection_name=name)
    relay = OutboxRelay(
        database,
        DyingPublisher(inner, args.die_after_publish),
        RelaySettings(batch_size=50, lease_seconds=2.0, poll_interval=0.1),
    )
    task = asyncio.create_task(relay.run())
    await stop.wait()
    relay.stop()
    await task
    await inner.close()


async def run_worker(
    database: AsyncDatabase, args: argparse.Namespace, stop: asyncio.Event
) -> dict[str, int]:
    subs = subscriptions(database, args)
    worker = RabbitMQWorker(
        args.broker,
        topology(args, subs),
        Inbox(database).apply,
        prefetch=8,
        policy=RetryPolicy(max_deliveries=3, first_pause=0.05, max_pause=0.1),
        connection_name=f"{args.namespace} worker",
    )
    task = asyncio.create_task(worker.run())
    await stop.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return {outcome.value: count for outcome, count in worker.outcomes.items()}


async def main_async(args: argparse.Namespace) -> None:
    database = AsyncDatabase.from_settings(load_settings(database_url=args.db))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        if args.role == "relay":
            await run_relay(database, args, stop)
        else:
            counts = await run_worker(database, args, stop)
            if args.report:
                write_report(args.report, counts)
    finally:
        await database.dispose()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["relay", "worker"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--broker", required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--die-after-publish", type=int)
    parser.add_argument("--die-in-handler", type=int)
    parser.add_argument("--poison", type=int)
    parser.add_argument("--report")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
