"""The service's Alembic environment: one configuration that knows every
bounded context's version directory and tables (see :mod:`api.contexts`).

There is no ``alembic.ini`` to keep in sync: :func:`service_config` builds
the configuration in code, with the version directories resolved from the
installed context packages. ``upgrade("heads")`` builds the whole schema
from nothing; ``downgrade("base")`` removes it. ``check`` compares every
context's records with the migrations (a table in the database that no
record declares counts as drift); ``revision`` for one context compares
only that context's tables and writes into its version directory.

The ``api migrate`` command is the front end; from code::

    migrations = service_migrations(settings)
    migrations.upgrade()
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Connection, MetaData
from sqlalchemy.engine import URL

from api.contexts import CONTEXTS, SHARED_SCHEMAS, ContextModule, get_context
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.migrations import (
    Migrations,
    RevisionInfo,
    make_alembic_config,
)

SCRIPT_LOCATION = Path(__file__).resolve().parent
"""This directory: ``env.py`` and the revision template."""


def target_metadata(contexts: Sequence[ContextModule] = CONTEXTS) -> MetaData:
    """The shared metadata, with every context's (and the shared schemas')
    records imported."""
    for records in [schema.records for schema in SHARED_SCHEMAS] + [c.records for c in contexts]:
        importlib.import_module(records)
    return Base.metadata


def context_tables(contexts: Sequence[ContextModule] = CONTEXTS) -> frozenset[str]:
    """The tables the contexts own (other tables on ``Base.metadata``, e.g.
    registered by tests, are not the service's business)."""
    target_metadata(contexts)
    return frozenset(name for context in contexts for name in context.tables())


def service_tables(contexts: Sequence[ContextModule] = CONTEXTS) -> frozenset[str]:
    """The contexts' tables and the shared ones (the messaging outbox...)."""
    shared = frozenset(name for schema in SHARED_SCHEMAS for name in schema.tables())
    return context_tables(contexts) | shared


def service_config(
    settings: Settings | None = None,
    *,
    database_url: str | URL | None = None,
    connection: Connection | None = None,
    context: str | None = None,
    contexts: Sequence[ContextModule] = CONTEXTS,
) -> Config:
    """Alembic configuration for the whole service (or one ``context``'s
    tables, for autogenerating that context's revision)."""
    tables = context_tables([get_context(context, contexts)]) if context else None
    return make_alembic_config(
        script_location=SCRIPT_LOCATION,
        version_locations=[schema.version_location for schema in SHARED_SCHEMAS]
        + [item.version_location for item in contexts],
        settings=settings,
        database_url=database_url,
        connection=connection,
        target_metadata=target_metadata(contexts),
        include_tables=tables if tables is not None else service_tables(contexts),
        report_undeclared_tables=context is None,
    )


def service_migrations(
    settings: Settings | None = None,
    *,
    database_url: str | URL | None = None,
    connection: Connection | None = None,
    context: str | None = None,
    contexts: Sequence[ContextModule] = CONTEXTS,
) -> Migrations:
    return Migrations(
        service_config(
            settings,
            database_url=database_url,
            connection=connection,
            context=context,
            contexts=contexts,
        )
    )


def create_context_revision(
    message: str,
    context: str,
    settings: Settings | None = None,
    *,
    autogenerate: bool = True,
    database_url: str | URL | None = None,
    contexts: Sequence[ContextModule] = CONTEXTS,
) -> RevisionInfo | None:
    """A new revision on ``context``'s branch, in its version directory.

    Autogenerate compares only that context's tables with a database that
    is at every head; ``None`` when there is nothing to write.
    """
    module = get_context(context, contexts)
    migrations = service_migrations(
        settings, database_url=database_url, context=context, contexts=contexts
    )
    return migrations.revision(
        message,
        autogenerate=autogenerate,
        branch=module.name,
        version_path=module.version_location,
    )


__all__ = [
    "SCRIPT_LOCATION",
    "context_tables",
    "create_context_revision",
    "service_config",
    "service_migrations",
    "service_tables",
    "target_metadata",
]
