"""Metrics read at scrape time, not counted on every request.

- :class:`PoolCollector`: the app engine's connection pool (``db_pool_*``),
  read from the pool when Prometheus asks; with several workers each worker
  samples its own pool into the shared files (:class:`PoolSampler`) and the
  scrape adds them up.
- :class:`OutboxCollector`: how far behind the outbox is (pending messages,
  parked ones, the age of the oldest pending one), one query per scrape.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy.pool import Pool, QueuePool

logger = logging.getLogger("api.observability")

POOL_GAUGES = {
    "db_pool_size": "Connections the pool keeps open (its configured size)",
    "db_pool_checked_out": "Connections lent to requests right now",
    "db_pool_overflow": "Connections open beyond the pool's size right now",
    "db_pool_max_overflow": "Connections the pool may open beyond its size",
}
OUTBOX_SCRAPE_SECONDS = 5.0
"""A scrape does not wait longer than this for the outbox's figures."""


@dataclass(frozen=True)
class PoolSnapshot:
    size: int
    checked_out: int
    overflow: int
    max_overflow: int

    def values(self) -> dict[str, int]:
        return {
            "db_pool_size": self.size,
            "db_pool_checked_out": self.checked_out,
            "db_pool_overflow": self.overflow,
            "db_pool_max_overflow": self.max_overflow,
        }


def pool_snapshot(pool: Pool) -> PoolSnapshot | None:
    """The figures of a queue pool; ``None`` for pools without them (the
    single shared connection of an in-memory SQLite database)."""
    if not isinstance(pool, QueuePool):
        return None
    # SQLAlchemy counts overflow from -size (no connection open yet) upwards;
    # the limit has no public accessor, but the attribute has been there since 0.x.
    max_overflow = getattr(pool, "_max_overflow", 0)
    return PoolSnapshot(
        size=pool.size(),
        checked_out=pool.checkedout(),
        overflow=max(0, pool.overflow()),
        max_overflow=max(0, int(max_overflow)),
    )


class PoolCollector(Collector):
    """``db_pool_*`` gauges of the pool ``current_pool()`` returns (``None``
    before the lifespan opened the database: nothing is reported)."""

    def __init__(self, current_pool: Callable[[], Pool | None]) -> None:
        self._current_pool = current_pool

    def collect(self) -> Iterator[Metric]:
        pool = self._current_pool()
        snapshot = pool_snapshot(pool) if pool is not None else None
        if snapshot is None:
            return
        for name, value in snapshot.values().items():
            yield GaugeMetricFamily(name, POOL_GAUGES[name], value=value)


class PoolSampler:
    """With several workers: each samples its own pool into ``livesum`` gauges
    (every worker's figure, added up at scrape time) every ``interval``
    seconds. A timer per process, not a cost per request."""

    def __init__(
        self,
        registry: CollectorRegistry,
        current_pool: Callable[[], Pool | None],
        interval: float = 5.0,
    ) -> None:
        self._current_pool = current_pool
        self._interval = interval
        self._gauges = {
            name: Gauge(name, help_text, registry=registry, multiprocess_mode="livesum")
            for name, help_text in POOL_GAUGES.items()
        }

    def sample(self) -> None:
        pool = self._current_pool()
        snapshot = pool_snapshot(pool) if pool is not None else None
        if snapshot is None:
            return
        for name, value in snapshot.values().items():
            self._gauges[name].set(value)

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self._interval)


class OutboxStatusLike(Protocol):
    """What the outbox reports about itself."""

    @property
    def pending(self) -> int: ...

    @property
    def parked(self) -> int: ...

    @property
    def oldest_pending_age_seconds(self) -> float | None: ...


OutboxStatusReader = Callable[[], Awaitable[OutboxStatusLike]]


class OutboxCollector(Collector):
    """``outbox_pending_messages``, ``outbox_parked_messages`` and
    ``outbox_oldest_pending_age_seconds``, from one status query per scrape.

    The query is async and ``collect()`` is not: the scrape awaits
    :meth:`refresh` first. A failed or slow query leaves the figures out of
    that scrape (an alert on their absence notices) and logs why.
    """

    def __init__(self, read_status: OutboxStatusReader) -> None:
        self._read_status = read_status
        self._latest: OutboxStatusLike | None = None

    async def refresh(self) -> None:
        self._latest = None
        try:
            async with asyncio.timeout(OUTBOX_SCRAPE_SECONDS):
                self._latest = await self._read_status()
        except Exception as error:
            logger.warning("outbox metrics unavailable this scrape: %s", type(error).__name__)

    def collect(self) -> Iterable[Metric]:
        status = self._latest
        if status is None:
            return []
        oldest = status.oldest_pending_age_seconds
        return [
            GaugeMetricFamily(
                "outbox_pending_messages",
                "Integration events written but not yet delivered",
                value=status.pending,
            ),
            GaugeMetricFamily(
                "outbox_parked_messages",
                "Integration events that failed too often and wait for an operator",
                value=status.parked,
            ),
            GaugeMetricFamily(
                "outbox_oldest_pending_age_seconds",
                "Age of the oldest undelivered integration event (0 when none is pending)",
                value=oldest if oldest is not None else 0.0,
            ),
        ]


__all__ = [
    "OutboxCollector",
    "OutboxStatusLike",
    "OutboxStatusReader",
    "PoolCollector",
    "PoolSampler",
    "PoolSnapshot",
    "pool_snapshot",
]
