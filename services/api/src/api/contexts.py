"""The bounded contexts this service runs: the ONE place to register one.

Adding a context is one entry in :data:`CONTEXTS`: its name (also its
Alembic branch label), the OpenAPI tag of its router with a description,
the module declaring its records, the package holding its ``versions/``
directory, how its application service is wired to its infrastructure
adapter, its router factory and (optionally) its seed function, its
published language and its subscriptions to other contexts' integration
events (contexts never import each other: the handlers meet here). The app
(routers, services), the migration environment (metadata, version
directories, per-context autogenerate) and the CLI (``seed``, ``migrate
revision --context``) all read this list.

Nothing here opens a connection: wiring functions receive the
``AsyncDatabase`` that the app's lifespan (or the CLI) created.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Table

from events.api import create_router as create_events_router
from events.application import EventService, ticket_product_subscriptions
from events.infrastructure import SqlAlchemyEventsUnitOfWork
from events.infrastructure.seed_data import SEED_EVENTS, seed_events
from product_catalog.api import create_router as create_products_router
from product_catalog.application import ProductService
from product_catalog.application.published_language import (
    published_language as catalog_published_language,
)
from product_catalog.infrastructure import SqlAlchemyProductCatalogUnitOfWork
from product_catalog.infrastructure.seed_data import seed_products
from shared_infrastructure.application.integration_events import PublishedLanguage, Subscription
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database

ServiceDependency = Callable[..., Any]
"""A FastAPI dependency returning a context's application service."""


@dataclass(frozen=True)
class SeedOutcome:
    """What a context's seed did: the sample ids it inserted or left alone."""

    created: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContextModule:
    """Everything the service needs to know about one bounded context."""

    name: str
    """Identifier, Alembic branch label and ``--context`` value."""
    tag: str
    """The OpenAPI tag its router uses."""
    description: str
    """Shown next to the tag on the OpenAPI page."""
    records: str
    """Module that declares its records on the shared ``Base``."""
    migrations: str
    """Package whose ``versions/`` directory holds its Alembic history."""
    build_service: Callable[[AsyncDatabase], Any]
    """The composition: its application service on its infrastructure adapter."""
    create_router: Callable[[ServiceDependency], APIRouter]
    """Its router factory, given the dependency that yields the service."""
    seed: Callable[[Settings], Coroutine[Any, Any, SeedOutcome]] | None = None
    """Loads its sample data into the configured database (idempotent)."""
    published_language: PublishedLanguage | None = None
    """Which of its domain events it publishes, and as what: its units of
    work write them to the outbox at commit (``build_service`` passes it)."""
    subscriptions: Callable[[AsyncDatabase], Sequence[Subscription]] | None = None
    """The integration events of other contexts it applies, each with its
    handler wired on the given database (the relay delivers them)."""
    versions: Path | None = None
    """Overrides the version directory (tests, tooling); normally derived."""

    @property
    def version_location(self) -> Path:
        """Its Alembic version directory, resolved from the installed package."""
        if self.versions is not None:
            return self.versions
        return Path(str(resources.files(self.migrations) / "versions"))

    @property
    def package(self) -> str:
        return self.records.split(".", 1)[0]

    def tables(self) -> frozenset[str]:
        """The tables it owns: those of its mapped records, plus any plain
        ``Table`` declared in its records module."""
        module = importlib.import_module(self.records)
        prefix = f"{self.package}."
        names = {
            table.name
            for mapper in Base.registry.mappers
            if mapper.class_.__module__.startswith(prefix)
            for table in mapper.tables
        }
        names.update(
            value.name
            for value in vars(module).values()
            if isinstance(value, Table) and value.metadata is Base.metadata
        )
        return frozenset(names)


@dataclass(frozen=True)
class SharedSchema:
    """Tables that belong to shared infrastructure (the messaging outbox,
    inbox and parked messages): migrated on their own labelled branch, like
    a context's, but with no router or service."""

    name: str
    """Alembic branch label."""
    records: str
    """Module that declares its records on the shared ``Base``."""
    migrations: str
    """Package whose ``versions/`` directory holds its Alembic history."""

    @property
    def version_location(self) -> Path:
        return Path(str(resources.files(self.migrations) / "versions"))

    def tables(self) -> frozenset[str]:
        module = importlib.import_module(self.records)
        return frozenset(
            table.name
            for value in vars(module).values()
            if isinstance(value, type) and getattr(value, "__module__", None) == self.records
            for table in [getattr(value, "__table__", None)]
            if isinstance(table, Table)
        )


SHARED_SCHEMAS: tuple[SharedSchema, ...] = (
    SharedSchema(
        name="messaging",
        records="shared_infrastructure.messaging.records",
        migrations="shared_infrastructure.messaging.migrations",
    ),
)
"""Shared tables every deployment of the service migrates."""


def _product_service(database: AsyncDatabase) -> ProductService:
    return ProductService(
        lambda: SqlAlchemyProductCatalogUnitOfWork(
            database, published_language=catalog_published_language
        )
    )


def _event_service(database: AsyncDatabase) -> EventService:
    return EventService(lambda: SqlAlchemyEventsUnitOfWork(database))


def _event_subscriptions(database: AsyncDatabase) -> list[Subscription]:
    """The events context's copy of catalog products, fed by the catalog."""
    return ticket_product_subscriptions(lambda: SqlAlchemyEventsUnitOfWork(database))


async def _seed_products(settings: Settings) -> SeedOutcome:
    database = AsyncDatabase.from_settings(settings)
    try:
        result = await seed_products(database)
    finally:
        await database.dispose()
    return SeedOutcome(tuple(result.created), tuple(result.skipped))


async def _seed_events(settings: Settings) -> SeedOutcome:
    def run() -> list[str]:
        database = Database.from_settings(settings)
        try:
            return seed_events(database)
        finally:
            database.dispose()

    created = await asyncio.to_thread(run)
    skipped = tuple(str(event["id"]) for event in SEED_EVENTS if event["id"] not in created)
    return SeedOutcome(tuple(created), skipped)


CONTEXTS: tuple[ContextModule, ...] = (
    ContextModule(
        name="product_catalog",
        tag="products",
        description="Product catalog: products with a unique code, a price and a status.",
        records="product_catalog.infrastructure.records",
        migrations="product_catalog.infrastructure.migrations",
        build_service=_product_service,
        create_router=create_products_router,
        seed=_seed_products,
        published_language=catalog_published_language,
    ),
    ContextModule(
        name="events",
        tag="events",
        description="Events: concerts and festivals with a capacity and registrations.",
        records="events.infrastructure.records",
        migrations="events.infrastructure.migrations",
        build_service=_event_service,
        create_router=create_events_router,
        seed=_seed_events,
        subscriptions=_event_subscriptions,
    ),
)


def get_context(name: str, contexts: Sequence[ContextModule] = CONTEXTS) -> ContextModule:
    for context in contexts:
        if context.name == name:
            return context
    known = ", ".join(context.name for context in contexts)
    raise KeyError(f"unknown context {name!r} (known: {known})")
