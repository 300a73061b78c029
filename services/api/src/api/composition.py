"""The composition root: the only code that wires an application service
to an infrastructure adapter.

The app's lifespan calls :func:`compose`, which opens the database (an
engine and its pool; no connection yet) and builds every context's service
on it, e.g. ``ProductService(lambda: SqlAlchemyProductCatalogUnitOfWork(db))``.
Routers were mounted earlier, at ``create_app()`` time, with a dependency
(:func:`service_dependency`) that fetches the service from ``app.state``
when a request arrives: routes exist before any engine does, and nothing
is created at import time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from api.contexts import CONTEXTS, ContextModule
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.urls import is_sqlite_memory
from shared_infrastructure.messaging import OutboxRelay, RelaySettings

logger = logging.getLogger("api")

SCHEMA_CHECK_SECONDS = 10.0


@dataclass
class Composition:
    """What the lifespan built; lives on ``app.state.composition``."""

    database: AsyncDatabase
    services: dict[str, Any] = field(default_factory=dict)
    relay: OutboxRelay | None = None
    """The outbox relay running in this process, if any."""


class NotStarted(RuntimeError):
    """A request reached the app before its lifespan opened the database."""


def build_services(
    database: AsyncDatabase, contexts: Sequence[ContextModule] = CONTEXTS
) -> dict[str, Any]:
    """Each context's application service on its SQLAlchemy adapter."""
    return {context.name: context.build_service(database) for context in contexts}


@asynccontextmanager
async def compose(
    settings: Settings,
    *,
    database: AsyncDatabase | None = None,
    contexts: Sequence[ContextModule] = CONTEXTS,
    apply_migrations: bool = False,
    relay_outbox: bool = True,
    relay_settings: RelaySettings | None = None,
) -> AsyncIterator[Composition]:
    """Open the database (unless one is given: its owner disposes it), wire
    the services, run the outbox relay (unless ``relay_outbox`` is False),
    and stop the relay and dispose the database on the way out."""
    from api.messaging import relay_for, running

    owned = database is None
    opened = database if database is not None else AsyncDatabase.from_settings(settings)
    try:
        if apply_migrations:
            await migrate_on(opened, contexts)
        else:
            await warn_if_schema_is_behind(opened, contexts)
        relay = relay_for(opened, contexts, relay_settings) if relay_outbox else None
        async with running(relay):
            yield Composition(opened, build_services(opened, contexts), relay)
    finally:
        if owned:
            await opened.dispose()


async def migrate_on(database: AsyncDatabase, contexts: Sequence[ContextModule]) -> None:
    """Upgrade to every head through the app's own engine (the only way to
    reach an in-memory SQLite database, which lives in one connection)."""
    from api.migrations import service_migrations

    def upgrade(connection: Connection) -> None:
        service_migrations(connection=connection, contexts=contexts).upgrade()

    async with database.engine.begin() as connection:
        await connection.run_sync(upgrade)
    logger.info("database migrated to every head")


async def warn_if_schema_is_behind(
    database: AsyncDatabase, contexts: Sequence[ContextModule]
) -> None:
    """Say so at start when migrations are pending or the database is down;
    the service starts anyway (health answers 503 until the database is back)."""
    from api.migrations import service_migrations

    if is_sqlite_memory(database.engine.url):
        logger.warning("in-memory SQLite database: empty unless migrated by the app")
        return

    def up_to_date(connection: Connection) -> bool:
        return service_migrations(connection=connection, contexts=contexts).is_up_to_date()

    try:
        async with asyncio.timeout(SCHEMA_CHECK_SECONDS):
            async with database.engine.connect() as connection:
                current = await connection.run_sync(up_to_date)
    except Exception as error:
        logger.warning("database not reachable at start (%s); serving anyway", type(error).__name__)
        return
    if not current:
        logger.warning("database schema is behind the migrations: run `api migrate upgrade`")


def service_dependency(name: str) -> Callable[[Request], Any]:
    """A FastAPI dependency returning context ``name``'s service."""

    def dependency(request: Request) -> Any:
        composition = getattr(request.app.state, "composition", None)
        if not isinstance(composition, Composition):
            raise NotStarted("the app's lifespan has not run: no database, no services")
        return composition.services[name]

    dependency.__name__ = f"{name}_service"
    dependency.__qualname__ = dependency.__name__
    return dependency


__all__ = [
    "Composition",
    "NotStarted",
    "build_services",
    "compose",
    "migrate_on",
    "service_dependency",
    "warn_if_schema_is_behind",
]
