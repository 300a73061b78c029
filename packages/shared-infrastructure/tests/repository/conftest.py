"""Statement recording for the repository tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

from .repo_support import SqlLog


@pytest.fixture
def sql_log(sync_engine: Engine, async_engine: AsyncEngine) -> Iterator[SqlLog]:
    """Statements sent by the sync and the async engine during the test."""
    log = SqlLog()
    engines = (sync_engine, async_engine.sync_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log.record)
    try:
        yield log
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", log.record)
