"""``api worker``: a process that applies integration events from RabbitMQ,
and ``api broker``: the operator's view of what the workers parked.

A worker consumes every subscription's queue and applies each event through
its consumer's inbox (handler and inbox row in one transaction), then
acknowledges it. Several may run, on any hosts: each queue has one active
consumer at a time (docs/deployment.md). SIGTERM or Ctrl-C stops it: the
event being applied is rolled back and stays in its queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from api.broker import BrokerSettings
from shared_infrastructure.messaging.rabbitmq import Apply, BrokerTopology, RabbitMQWorker

logger = logging.getLogger("api.worker")


async def consume_until_stopped(worker: RabbitMQWorker, stop: asyncio.Event) -> None:
    """Run ``worker`` until ``stop`` is set; its own failure propagates."""
    running = asyncio.create_task(worker.run(), name="worker")
    stopping = asyncio.create_task(stop.wait(), name="stop")
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not running.done():
            running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    logger.info("worker stopped: %s", dict(worker.outcomes) or "nothing handled")


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set ``stop`` (where the loop supports it)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def run_worker(
    broker: BrokerSettings,
    topology: BrokerTopology,
    apply: Apply,
    *,
    keys: Sequence[str] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    if broker.url is None:
        raise ValueError("a worker needs BROKER_URL")
    worker = RabbitMQWorker(
        broker.url,
        topology,
        apply,
        keys=keys,
        prefetch=broker.prefetch,
        connection_name=f"api worker ({topology.namespace})",
    )
    stop = stop or asyncio.Event()
    stop_on_signals(stop)
    logger.info(
        "worker: consuming %s from %s",
        ", ".join(keys or topology.keys) or "nothing",
        broker.describe(),
    )
    await consume_until_stopped(worker, stop)


# -- api broker: dead letters ------------------------------------------------------


async def show_dead_letters(
    broker: BrokerSettings, topology: BrokerTopology, *, key: str | None, limit: int
) -> list[str]:
    """One line per parked message, oldest first, per subscription."""
    from shared_infrastructure.messaging.rabbitmq.dead_letters import list_dead_letters

    if broker.url is None:
        raise ValueError("BROKER_URL is not set: there is no broker to ask")
    parked = await list_dead_letters(broker.url, topology, key=key, limit=limit)
    if not parked:
        return ["no dead-lettered messages"]
    return [
        f"{item.key}  {item.message_id or '-'}  {item.topic or '-'}  "
        f"aggregate {item.aggregate_key or '-'}  ({item.reason})"
        for item in parked
    ]


async def requeue(
    broker: BrokerSettings,
    topology: BrokerTopology,
    key: str,
    *,
    message_ids: Sequence[str] | None,
    limit: int,
) -> list[str]:
    from shared_infrastructure.messaging.rabbitmq.dead_letters import (
        message_id,
        requeue_dead_letters,
    )

    if broker.url is None:
        raise ValueError("BROKER_URL is not set: there is no broker to ask")
    if message_ids is not None:
        message_ids = [message_id(text) for text in message_ids]
    sent = await requeue_dead_letters(
        broker.url, topology, key, message_ids=message_ids, limit=limit
    )
    if message_ids is not None:
        missing = sorted(set(message_ids) - {item.message_id or "" for item in sent})
        if missing:
            raise LookupError(f"not parked for {key}: {', '.join(missing)}")
    return [f"requeued {len(sent)} message(s) to {topology.queue(key)}"] + [
        f"  {item.message_id}  {item.topic}" for item in sent
    ]


__all__ = ["consume_until_stopped", "requeue", "run_worker", "show_dead_letters", "stop_on_signals"]
