"""Run a unit of work again when it lost a race with a concurrent one.

A lost race (stale version at commit, serialization failure, SQLite's busy
writer) says nothing about the request itself: re-running the use case from
a fresh load usually succeeds, or fails for a real reason (duplicate,
capacity reached). ``VersionMismatch`` is never retried: the caller's own
expectation (``If-Match``) is stale, and only the caller can resolve that.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared_infrastructure.domain.errors import ConcurrencyConflict, VersionMismatch

T = TypeVar("T")

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 0.02


async def retry_on_conflict(
    operation: Callable[[], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``await operation()``, up to ``attempts`` times while it loses races.

    ``operation`` must open its own unit of work, so every attempt starts
    from a fresh load. Waits a random, growing pause between attempts so
    that the racers spread out. The last conflict propagates.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except VersionMismatch:
            raise
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
            await sleep(backoff * attempt * random.random())
    raise AssertionError("unreachable")  # pragma: no cover
