"""Fixtures for tests that need real commits or the default databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import (
    close_database,
    init_database,
    init_sync_database,
)
from shared_infrastructure.database.engine import create_sync_engine
from shared_infrastructure.testing.plugin import DatabaseFactory


@pytest.fixture
def committing_sync_database(
    database_factory: DatabaseFactory, db_settings: Settings
) -> Iterator[Database]:
    """A sync ``Database`` that really commits; ``database_factory`` empties
    the tables afterwards."""
    database = Database(create_sync_engine(db_settings))
    yield database
    database.dispose()


@pytest_asyncio.fixture(loop_scope="session")
async def committing_defaults(
    committing_database: AsyncDatabase, committing_sync_database: Database
) -> AsyncIterator[tuple[AsyncDatabase, Database]]:
    """Point the process-wide defaults (seed helpers, active record) at the
    test database, and reset them afterwards."""
    await init_database(committing_database)
    init_sync_database(committing_sync_database)
    yield committing_database, committing_sync_database
    await close_database()
