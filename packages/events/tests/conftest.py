"""Fixtures shared by the events tests that touch a database.

The database itself (``database``, ``session``, ``database_factory``...)
comes from the shared pytest plugin; ``--db sqlite|postgresql|mariadb``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from events.application import EventService
from events.infrastructure import SqlAlchemyEventsUnitOfWork
from shared_infrastructure.database.database import AsyncDatabase, Database

FIXED_NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def make_service() -> Callable[[AsyncDatabase], EventService]:
    """An ``EventService`` on real units of work, its clock at ``FIXED_NOW``."""

    def build(database: AsyncDatabase) -> EventService:
        return EventService(lambda: SqlAlchemyEventsUnitOfWork(database), lambda: FIXED_NOW)

    return build


@pytest.fixture
def default_sync_database(sync_database: Database, default_databases: None) -> Iterator[Database]:
    """The process-wide sync database (what ``BaseModel.save()`` and
    ``transaction()`` use), pointed at the test's transaction by the
    plugin's ``default_databases`` fixture."""
    yield sync_database
    sync_database.remove()
