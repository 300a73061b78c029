"""Helpers of the RabbitMQ tests: events, a recording apply, closing our
own connections the way ``rabbitmqctl close_all_connections`` would."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription


def event(key: str, n: int, name: str = "product.price_changed") -> IntegrationEvent:
    return IntegrationEvent(
        source="product_catalog", name=name, version=1, aggregate_key=key, payload={"n": n}
    )


async def ignore(event: IntegrationEvent) -> None:
    return None


@dataclass
class RecordingApply:
    """An inbox in memory: applies each event id once, records the order."""

    applied: list[tuple[str, str, int]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    attempts: Counter[str] = field(default_factory=Counter)
    fail: Callable[[IntegrationEvent], bool] = lambda event: False

    async def __call__(self, subscription: Subscription, event: IntegrationEvent) -> bool:
        self.attempts[str(event.id)] += 1
        if self.fail(event):
            raise RuntimeError(f"handler refuses {event.payload}")
        if (subscription.key, str(event.id)) in self.seen:
            return False
        self.seen.add((subscription.key, str(event.id)))
        number = event.payload["n"]
        assert isinstance(number, int)
        self.applied.append((subscription.key, event.aggregate_key, number))
        return True


async def eventually(condition: Callable[[], bool], within: float = 30.0) -> None:
    """Wait until ``condition()`` holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.05)


async def until(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)


def count_connections(name_part: str) -> int:
    """How many broker connections have ``name_part`` in their client-given name."""
    listing = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "client_properties"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return sum(name_part in line for line in listing.splitlines())


async def wait_for_connections(name_part: str, count: int, within: float = 60.0) -> None:
    """Until ``count`` such connections are open (reconnects take a moment)."""
    async with asyncio.timeout(within):
        while True:
            if await asyncio.to_thread(count_connections, name_part) >= count:
                return
            await asyncio.sleep(0.2)


def close_connections(name_part: str) -> int:
    """Close every broker connection whose client-given name contains
    ``name_part`` (only ours: other runs share the broker); how many."""
    listing = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    closed = 0
    for line in listing.splitlines():
        if name_part in line:
            pid = line.split("\t", 1)[0]
            subprocess.run(
                ["rabbitmqctl", "-q", "close_connection", pid, "test: connection closed"],
                capture_output=True,
                check=True,
                timeout=60,
            )
            closed += 1
    return closed
