"""Fixtures of the usage-guide tests: real, committing default databases.

Most examples run inside the plugin's rolled-back test transaction. Those
that need real commits and several connections (threads, pools, an HTTP
request whose commit fails) get the default databases on an engine of
their own; every table is emptied afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from sqlalchemy import Engine

from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import use_default_databases
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.testing.plugin import empty_all_tables


@pytest.fixture
def committing_sync_database(db_settings: Settings, sync_engine: Engine) -> Iterator[Database]:
    """The default sync database, committing for real on its own pool."""
    database = Database(create_sync_engine(db_settings))
    try:
        with use_default_databases(sync=database):
            yield database
    finally:
        database.dispose()
        empty_all_tables(sync_engine)


@pytest_asyncio.fixture(loop_scope="session")
async def committing_databases(
    db_settings: Settings, sync_engine: Engine
) -> AsyncIterator[tuple[Database, AsyncDatabase]]:
    """Both default databases, committing for real on their own pools."""
    sync_database = Database(create_sync_engine(db_settings))
    async_database = AsyncDatabase(create_async_db_engine(db_settings))
    try:
        with use_default_databases(sync=sync_database, async_=async_database):
            yield sync_database, async_database
    finally:
        await async_database.dispose()
        sync_database.dispose()
        empty_all_tables(sync_engine)
