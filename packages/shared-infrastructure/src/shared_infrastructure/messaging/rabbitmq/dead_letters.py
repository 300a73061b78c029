"""The messages a worker gave up on: show them, send them back.

A dead-lettered message waits in its subscription's dead-letter queue with
the broker's ``x-death`` record (why: ``rejected`` after the handler failed
``max_deliveries`` times or the message was unreadable, ``delivery_limit``
after as many redeliveries). :func:`list_dead_letters` reads them without
taking them away; :func:`requeue_dead_letters` puts them back at the end of
the subscription's own queue (not the publishing exchange: the other
subscribers applied them already), each one removed from the dead-letter
queue only after the broker confirmed its copy. A requeued message comes
after events of its aggregate that were applied meanwhile: it was parked,
so its order was broken already; the handler must cope (or the operator
replays from the outbox instead).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from shared_infrastructure.messaging.rabbitmq.topology import BrokerTopology

DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class DeadLetter:
    key: str
    """The subscription it was parked for."""
    message_id: str | None
    topic: str | None
    aggregate_key: str | None
    reason: str
    """The broker's dead-letter reason: ``rejected``, ``delivery_limit``..."""
    body: str


def _dead_letter(key: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    deaths = headers.get("x-death")
    reason = "unknown"
    if isinstance(deaths, Sequence) and deaths and isinstance(deaths[0], dict):
        reason = str(deaths[0].get("reason", reason))
    first = headers.get("x-first-death-reason")
    if first is not None:
        reason = first.decode() if isinstance(first, bytes) else str(first)
    aggregate = headers.get("aggregate-key")
    return DeadLetter(
        key=key,
        message_id=message.message_id,
        topic=message.type,
        aggregate_key=None if aggregate is None else str(aggregate),
        reason=reason,
        body=message.body.decode(errors="replace"),
    )


def message_id(text: str) -> str:
    """An integration event's id in its canonical form; ValueError if not one."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ValueError(f"not a message id (a UUID): {text!r}") from None


def _keys(topology: BrokerTopology, key: str | None) -> tuple[str, ...]:
    if key is None:
        return topology.keys
    if key not in topology.keys:
        raise ValueError(f"unknown subscription {key!r} (known: {', '.join(topology.keys)})")
    return (key,)


async def _fetch(
    channel: AbstractChannel, topology: BrokerTopology, key: str, limit: int
) -> list[AbstractIncomingMessage]:
    queue = await channel.declare_queue(topology.dead_letter_queue(key), durable=True)
    messages: list[AbstractIncomingMessage] = []
    while len(messages) < limit:
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        messages.append(message)
    return messages


async def list_dead_letters(
    url: str, topology: BrokerTopology, *, key: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[DeadLetter]:
    """Up to ``limit`` parked messages per subscription, oldest first; they
    stay parked (the channel closes without acknowledging them)."""
    keys = _keys(topology, key)
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        await topology.declare(channel, keys)
        found: list[DeadLetter] = []
        for each in keys:
            found.extend(
                _dead_letter(each, m) for m in await _fetch(channel, topology, each, limit)
            )
        return found
    finally:
        await connection.close()


async def requeue_dead_letters(
    url: str,
    topology: BrokerTopology,
    key: str,
    *,
    message_ids: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[DeadLetter]:
    """Send parked messages of ``key`` (all, or those of ``message_ids``) back
    to its queue; what was sent back."""
    (key,) = _keys(topology, key)
    wanted = None if message_ids is None else {message_id(m) for m in message_ids}
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await topology.declare(channel, (key,))
        requeued: list[DeadLetter] = []
        for message in await _fetch(channel, topology, key, limit):
            if wanted is not None and message.message_id not in wanted:
                continue
            headers: dict[str, Any] = {
                name: value
                for name, value in (message.headers or {}).items()
                if not name.startswith("x-")
            }
            copy = aio_pika.Message(
                message.body,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.message_id,
                type=message.type,
                app_id=message.app_id,
                timestamp=message.timestamp,
                headers=headers,
            )
            await channel.default_exchange.publish(copy, routing_key=topology.queue(key))
            await message.ack()
            requeued.append(_dead_letter(key, message))
        return requeued
    finally:
        await connection.close()


__all__ = [
    "DEFAULT_LIMIT",
    "DeadLetter",
    "list_dead_letters",
    "message_id",
    "requeue_dead_letters",
]
