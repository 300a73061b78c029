"""The transactional-sessions module path: sessions whose transaction the
helper owns (commit on success, rollback on error, close), and the engines.

``get_session`` works with ``async with``, ``async for`` and
``Depends(get_session)``; ``get_sync_session`` with ``with``.
``async_engine``/``sync_engine`` stand for the default databases' engines
(resolved on every use: importing them builds no engine).
"""

from __future__ import annotations

from shared_infrastructure.database.defaults_proxies import async_engine
from shared_infrastructure.database.defaults_proxies import engine as sync_engine
from shared_infrastructure.database.helpers import (
    create_session_factory,
    get_async_session,
    get_session,
    get_sync_session,
)

__all__ = [
    "async_engine",
    "create_session_factory",
    "get_async_session",
    "get_session",
    "get_sync_session",
    "sync_engine",
]
