"""``api worker`` and ``api broker``: the RabbitMQ side of integration events.

Both need ``BROKER_URL``; without it the API process delivers integration
events itself and there is nothing to consume or inspect.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from shared_infrastructure.config.settings import Settings


T = TypeVar("T")


class BrokerCommandFailed(Exception):
    """Ends ``api worker`` or ``api broker`` with this message and exit status 1."""


NO_BROKER = (
    "BROKER_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672/): without a broker "
    "the API process delivers integration events itself"
)


def add_worker_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    formatter: type[argparse.HelpFormatter],
) -> None:
    worker = commands.add_parser(
        "worker",
        parents=[common],
        formatter_class=formatter,
        help="apply integration events from RabbitMQ (needs BROKER_URL)",
        description="Consume every subscription's queue on RabbitMQ (BROKER_URL) and apply\n"
        "each event through its consumer's inbox, then acknowledge it. Several workers\n"
        "may run, on any hosts: each queue has one active consumer at a time, so the\n"
        "events of one aggregate are applied in order. SIGTERM or Ctrl-C stops it.",
    )
    worker.add_argument(
        "--subscription",
        action="append",
        metavar="KEY",
        help="consume only this subscription (subscriber.consumer; repeatable)",
    )

    broker = commands.add_parser(
        "broker",
        parents=[common],
        formatter_class=formatter,
        help="RabbitMQ: dead-lettered messages (needs BROKER_URL)",
        description="Messages the workers parked after BROKER_MAX_DELIVERIES failures "
        "(or as many\nredeliveries, or unreadable): show them, send them back.",
    )
    actions = broker.add_subparsers(dest="action", metavar="ACTION", required=True)
    shown = actions.add_parser(
        "dead-letters",
        parents=[common],
        help="show parked messages, oldest first (they stay parked)",
        description="Show the parked messages of every subscription (or one), oldest first.",
    )
    shown.add_argument("--subscription", metavar="KEY", help="only this subscription")
    shown.add_argument("--limit", type=int, default=100, help="per subscription (default 100)")
    requeue = actions.add_parser(
        "requeue",
        parents=[common],
        help="send parked messages back to their subscription's queue",
        description="Send the parked messages of subscription KEY (all, or those given "
        "with\n--message-id) to the end of its queue; each leaves the dead-letter queue\n"
        "once RabbitMQ confirmed its copy.",
    )
    requeue.add_argument("key", metavar="KEY", help="the subscription (subscriber.consumer)")
    requeue.add_argument(
        "--message-id", action="append", metavar="ID", help="only this message (repeatable)"
    )
    requeue.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")


def _run(work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await work()

    return asyncio.run(main())


def run_worker_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return _worker(args, settings)
    except BrokerCommandFailed as error:
        print(f"api: {error}", file=sys.stderr)
        return 1


def run_broker_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return _broker(args, settings)
    except BrokerCommandFailed as error:
        print(f"api: {error}", file=sys.stderr)
        return 1


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from api.broker import load_broker_settings
    from api.composition import warn_if_schema_is_behind
    from api.contexts import CONTEXTS
    from api.messaging import service_topology
    from api.worker import run_worker
    from shared_infrastructure.database.database import AsyncDatabase
    from shared_infrastructure.messaging import Inbox

    broker = load_broker_settings()
    if not broker.enabled:
        raise BrokerCommandFailed(f"api worker consumes from RabbitMQ, but {NO_BROKER}")

    async def work() -> None:
        database = AsyncDatabase.from_settings(settings)
        try:
            await warn_if_schema_is_behind(database, CONTEXTS)
            topology = service_topology(broker, database, CONTEXTS)
            try:
                await run_worker(broker, topology, Inbox(database).apply, keys=args.subscription)
            except ValueError as error:  # unknown --subscription
                raise BrokerCommandFailed(str(error)) from None
        finally:
            await database.dispose()

    _run(work)
    return 0


def _broker(args: argparse.Namespace, settings: Settings) -> int:
    from api.broker import load_broker_settings
    from api.contexts import CONTEXTS
    from api.messaging import service_topology
    from api.worker import requeue, show_dead_letters
    from shared_infrastructure.database.database import AsyncDatabase

    broker = load_broker_settings()
    if not broker.enabled:
        raise BrokerCommandFailed(NO_BROKER)
    if args.limit < 1:
        raise BrokerCommandFailed("--limit must be at least 1")

    async def work() -> list[str]:
        database = AsyncDatabase.from_settings(settings)  # wires handlers; connects to nothing
        try:
            topology = service_topology(broker, database, CONTEXTS)
        finally:
            await database.dispose()
        if args.action == "dead-letters":
            return await show_dead_letters(
                broker, topology, key=args.subscription, limit=args.limit
            )
        return await requeue(
            broker, topology, args.key, message_ids=args.message_id, limit=args.limit
        )

    try:
        lines = _run(work)
    except (ValueError, LookupError) as error:
        raise BrokerCommandFailed(str(error).strip("'\"")) from None
    except OSError as error:
        raise BrokerCommandFailed(f"cannot reach the broker: {error}") from None
    for line in lines:
        print(line)
    sys.stdout.flush()
    return 0


__all__ = ["add_worker_parsers", "run_broker_command", "run_worker_command"]
