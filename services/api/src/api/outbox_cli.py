"""``api outbox``: the outbox's lag, parked messages, retry and replay.

``status`` reads the tables only. ``retry`` and ``replay`` apply messages
through this service's subscriptions (the handlers the contexts declared),
each in its consumer's own transaction with its inbox row, exactly as the
relay does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared_infrastructure.config.settings import Settings


def add_outbox_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    formatter: type[argparse.HelpFormatter],
) -> None:
    outbox = commands.add_parser(
        "outbox",
        parents=[common],
        formatter_class=formatter,
        help="integration events: outbox status, retry parked messages, replay",
        description="The transactional outbox of integration events: what is pending or "
        "parked,\nand the commands that deliver parked messages again.",
    )
    actions = outbox.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "status",
        parents=[common],
        help="pending and parked messages, and the age of the oldest pending one",
        description="Show how many outbox messages wait for the relay, how old the oldest "
        "is,\nand every message parked for a consumer (with its last error).",
    )
    retry = actions.add_parser(
        "retry",
        parents=[common],
        help="apply a parked message again (and those parked behind it)",
        description="Apply a parked message to its consumer again, with the messages of "
        "the same\naggregate key parked behind it, in order; stop at the first that fails "
        "again.",
    )
    retry.add_argument("message_id", help="the parked message's id (see `api outbox status`)")
    retry.add_argument("--consumer", help="only this consumer (subscriber.consumer)")
    replay = actions.add_parser(
        "replay",
        parents=[common],
        help="apply a range of outbox messages to one consumer again",
        description="Apply the outbox messages at positions FROM..TO (inclusive) that "
        "CONSUMER reads\nto it again, in order, even those it applied before (e.g. to "
        "rebuild a projection).",
    )
    replay.add_argument("--consumer", required=True, help="subscriber.consumer")
    replay.add_argument("--from", dest="first", type=int, required=True, help="first position")
    replay.add_argument("--to", dest="last", type=int, required=True, help="last position")


class OutboxCommandFailed(Exception):
    """Ends the command with this message (``api: ...``) and exit status 1."""


def run_outbox(args: argparse.Namespace, settings: Settings) -> int:
    handlers: dict[str, Any] = {"status": _status, "retry": _retry, "replay": _replay}
    try:
        return asyncio.run(_with_database(settings, handlers[args.action], args))
    except OutboxCommandFailed as error:
        print(f"api: {error}", file=sys.stderr)
        return 1


async def _with_database(settings: Settings, action: Any, args: argparse.Namespace) -> int:
    from shared_infrastructure.database.database import AsyncDatabase

    database = AsyncDatabase.from_settings(settings)
    try:
        result: Coroutine[Any, Any, int] = action(database, args)
        return await result
    finally:
        await database.dispose()


async def _status(database: Any, args: argparse.Namespace) -> int:
    from shared_infrastructure.messaging import outbox_status, parked_messages

    status = await outbox_status(database)
    age = status.oldest_pending_age_seconds
    print(f"pending: {status.pending}")
    print(f"oldest pending: {'-' if age is None else f'{age:.1f} s'}")
    print(f"parked: {status.parked}")
    for parked in await parked_messages(database):
        error = parked.last_error.splitlines()[0] if parked.last_error else ""
        print(
            f"  {parked.message_id}  {parked.consumer}  {parked.topic}  key={parked.aggregate_key}"
            f"  position={parked.position}  attempts={parked.attempts}  {error}"
        )
    return 0


def _message_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise OutboxCommandFailed(f"{text!r} is not a message id (a UUID)") from None


async def _retry(database: Any, args: argparse.Namespace) -> int:
    from api.messaging import subscriptions_of
    from shared_infrastructure.messaging import UnknownParkedMessage, retry_parked

    message_id = _message_id(args.message_id)
    try:
        outcome = await retry_parked(
            database, subscriptions_of(database), message_id, consumer=args.consumer
        )
    except UnknownParkedMessage as error:
        raise OutboxCommandFailed(str(error)) from None
    print(f"applied: {outcome.applied}; still parked: {outcome.still_parked}")
    return 0 if outcome.still_parked == 0 else 1


async def _replay(database: Any, args: argparse.Namespace) -> int:
    from api.messaging import subscriptions_of
    from shared_infrastructure.messaging import replay

    if args.first > args.last:
        raise OutboxCommandFailed("--from must not exceed --to")
    subscriptions = subscriptions_of(database)
    consumer = [s for s in subscriptions if s.key == args.consumer]
    if not consumer:
        known = ", ".join(sorted({s.key for s in subscriptions})) or "none"
        raise OutboxCommandFailed(f"no consumer {args.consumer!r} in this service (known: {known})")
    applied = await replay(database, consumer, args.first, args.last)
    print(f"replayed {applied} message(s) to {args.consumer}")
    return 0
