"""Integration events in the service: the relay the lifespan runs, the
subscriptions the contexts declared, and ``/health/outbox``.

On the embedded default the relay runs inside the service process as a
lifespan task and hands each outbox message to this process's
subscriptions (:class:`~shared_infrastructure.messaging.InProcessPublisher`):
nothing else needs to start. A commit that wrote to the outbox wakes it, so
a subscriber sees a change well within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.contexts import CONTEXTS, ContextModule
from shared_infrastructure.application.integration_events import Subscription
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import is_unavailable
from shared_infrastructure.database.urls import is_sqlite_memory
from shared_infrastructure.messaging import (
    InProcessPublisher,
    OutboxRelay,
    RelaySettings,
    outbox_status,
)

logger = logging.getLogger("api")

STOP_SECONDS = 10.0
"""How long shutdown waits for the relay's current round before cancelling it."""


def subscriptions_of(
    database: AsyncDatabase, contexts: Sequence[ContextModule] = CONTEXTS
) -> list[Subscription]:
    """Every context's subscriptions, with their handlers wired on ``database``.

    A consumer (one ``subscriber.consumer`` key: one inbox) may read several
    topics, one subscription each; the same topic twice is a wiring error."""
    found = [
        subscription
        for context in contexts
        if context.subscriptions is not None
        for subscription in context.subscriptions(database)
    ]
    reads = [(subscription.key, subscription.topic) for subscription in found]
    duplicates = sorted(
        {f"{key} ({topic})" for key, topic in reads if reads.count((key, topic)) > 1}
    )
    if duplicates:
        raise ValueError(f"a consumer subscribes twice to one topic: {', '.join(duplicates)}")
    return found


def build_relay(
    database: AsyncDatabase,
    subscriptions: Sequence[Subscription],
    settings: RelaySettings | None = None,
) -> OutboxRelay:
    return OutboxRelay(database, InProcessPublisher(database, subscriptions), settings)


@asynccontextmanager
async def running(relay: OutboxRelay | None) -> AsyncIterator[None]:
    """Run ``relay`` as a background task for the block; stop it cleanly
    (its current round finishes, or is cancelled after STOP_SECONDS)."""
    if relay is None:
        yield
        return
    task = asyncio.create_task(relay.run(), name="outbox-relay")
    try:
        yield
    finally:
        relay.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=STOP_SECONDS)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            logger.warning("outbox relay cancelled at shutdown; its batch will be redelivered")


def relay_for(
    database: AsyncDatabase,
    contexts: Sequence[ContextModule],
    settings: RelaySettings | None = None,
) -> OutboxRelay | None:
    """The embedded relay, or None where it cannot run beside requests (an
    in-memory SQLite database is one shared connection)."""
    if is_sqlite_memory(database.engine.url):
        logger.warning("in-memory SQLite database: the outbox relay does not run")
        return None
    return build_relay(database, subscriptions_of(database, contexts), settings)


def create_outbox_health_router(database: Callable[[], AsyncDatabase]) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/health/outbox",
        summary="How far the outbox relay is behind",
        responses={503: {"description": "The database is unreachable"}},
    )
    async def outbox_health() -> JSONResponse:
        try:
            status = await outbox_status(database())
        except Exception as error:
            if not is_unavailable(error):
                raise
            body: dict[str, Any] = {"status": "unhealthy", "error": "database unavailable"}
            return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
        return JSONResponse(jsonable_encoder({"status": "ok", **asdict(status)}))

    return router


__all__ = [
    "build_relay",
    "create_outbox_health_router",
    "relay_for",
    "running",
    "subscriptions_of",
]
