"""The transactional-sessions module path: sessions whose transaction the
helper owns (commit on success, rollback on error, close), and the engines.

``get_session`` works with ``async with``, ``async for`` and
``Depends(get_session)``; ``get_sync_session`` with ``with``.
``async_engine``/``sync_engine`` are the default databases' engines,
resolved on access (importing this module builds no engine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared_infrastructure.database.defaults import get_async_database, get_database
from shared_infrastructure.database.helpers import (
    create_session_factory,
    get_async_session,
    get_session,
    get_sync_session,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine

    async_engine: AsyncEngine
    sync_engine: Engine

__all__ = [
    "async_engine",
    "create_session_factory",
    "get_async_session",
    "get_session",
    "get_sync_session",
    "sync_engine",
]


def __getattr__(name: str) -> Any:
    if name == "async_engine":
        return get_async_database().engine
    if name == "sync_engine":
        return get_database().engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
