"""``install_observability``: what ``create_app`` calls (see the package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy.pool import Pool
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.observability.collectors import (
    OutboxCollector,
    OutboxStatusLike,
    PoolCollector,
    PoolSampler,
)
from api.observability.metrics import HttpMetrics, multiprocess_directory, scrape_registry
from api.observability.middleware import RequestTelemetryMiddleware
from api.observability.settings import ObservabilitySettings, load_observability_settings
from api.observability.tracing import AppTracing, provider_from_environment
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging import outbox_status

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

METRICS_PATH = "/metrics"
OutboxStatusQuery = Callable[[AsyncDatabase], Awaitable[OutboxStatusLike]]


@dataclass(frozen=True)
class ObservabilityOptions:
    """What to observe and how. ``from_environment()`` is what the service
    uses; tests pass their own (an in-memory span exporter's provider)."""

    settings: ObservabilitySettings = field(default_factory=ObservabilitySettings)
    tracer_provider: TracerProvider | None = None
    """Spans go here (its owner shuts it down); ``None``: none unless
    the environment asks (then the app owns the provider it builds)."""
    trace_from_environment: bool = True
    outbox_status: OutboxStatusQuery | None = outbox_status
    """How to ask the outbox for its figures (one query per scrape);
    ``None``: no outbox metrics."""

    @classmethod
    def from_environment(cls) -> ObservabilityOptions:
        return cls(settings=load_observability_settings())


class AppObservability:
    """What :func:`install_observability` installed on one app."""

    def __init__(
        self,
        options: ObservabilityOptions,
        database: Callable[[], AsyncDatabase | None],
        tracing: AppTracing | None,
    ) -> None:
        self.options = options
        self.tracing = tracing
        self._database = database
        self.registry = CollectorRegistry(auto_describe=True)
        self.http = HttpMetrics(self.registry) if options.settings.metrics_enabled else None
        self._outbox: OutboxCollector | None = None
        self._pool_sampler: PoolSampler | None = None
        self._shared: list[Collector] = []
        if self.http is None:
            return
        if multiprocess_directory() is None:
            self.registry.register(PoolCollector(self._current_pool))
        else:
            self._pool_sampler = PoolSampler(self.registry, self._current_pool)
        if options.outbox_status is not None:
            self._outbox = OutboxCollector(self._read_outbox)
            self._shared.append(self._outbox)
            if multiprocess_directory() is None:
                self.registry.register(self._outbox)

    def _current_pool(self) -> Pool | None:
        database = self._database()
        return database.engine.pool if database is not None else None

    async def _read_outbox(self) -> OutboxStatusLike:
        database = self._database()
        query = self.options.outbox_status
        if database is None or query is None:
            raise LookupError("no database open")
        return await query(database)

    async def scrape(self) -> bytes:
        """The metrics in Prometheus' text format, as of now."""
        if self._outbox is not None:
            await self._outbox.refresh()
        if self._pool_sampler is not None:
            self._pool_sampler.sample()
        registry = scrape_registry(self.registry, self._shared)
        # Reading every worker's files is disk work: off the event loop.
        return await run_in_threadpool(generate_latest, registry)

    @contextlib.asynccontextmanager
    async def running(self, database: AsyncDatabase) -> AsyncIterator[None]:
        """For the lifespan: trace the app's engine, sample its pool when
        several workers serve; undo both at shutdown."""
        if self.tracing is not None:
            self.tracing.instrument_engine(database.engine)
        sampler = asyncio.create_task(self._pool_sampler.run()) if self._pool_sampler else None
        try:
            yield
        finally:
            if sampler is not None:
                sampler.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sampler
                _forget_this_worker()
            if self.tracing is not None:
                self.tracing.close()


def _forget_this_worker() -> None:
    """A worker that stops takes its in-flight and pool figures with it."""
    from prometheus_client import multiprocess

    directory = multiprocess_directory()
    if directory is not None:
        multiprocess.mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


def install_observability(
    app: FastAPI,
    database: Callable[[], AsyncDatabase | None],
    options: ObservabilityOptions | None = None,
) -> AppObservability:
    """Add the telemetry middleware (outermost: call this after the app's
    own ``add_middleware`` calls), ``GET /metrics`` and, if asked for, traces.

    ``database`` returns the app's database once its lifespan opened it.
    """
    resolved = options if options is not None else ObservabilityOptions.from_environment()
    provider = resolved.tracer_provider
    owns_provider = False
    if provider is None and resolved.trace_from_environment:
        provider = provider_from_environment()
        owns_provider = provider is not None
    tracing = AppTracing(provider, owns_provider) if provider is not None else None
    observability = AppObservability(resolved, database, tracing)

    if observability.http is not None:

        async def metrics() -> Response:
            return Response(await observability.scrape(), media_type=CONTENT_TYPE_LATEST)

        app.add_api_route(METRICS_PATH, metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(
        RequestTelemetryMiddleware, metrics=observability.http, routes=app.router.routes
    )
    if tracing is not None:
        tracing.instrument_app(app)
    return observability


__all__ = [
    "METRICS_PATH",
    "AppObservability",
    "ObservabilityOptions",
    "install_observability",
]
