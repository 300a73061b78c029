"""FastAPI dependencies as ``Annotated`` aliases.

``DbSession`` is the one to use: the request's session, opened and
committed by :class:`DatabaseSessionMiddleware`. The others expose the
seeds' helpers; they run with ``scope="function"`` so their commit/close
happens when the endpoint returns, *before* the response is sent (FastAPI's
default would run it after, turning a failed commit into a silent 2xx).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.defaults import get_async_database
from shared_infrastructure.database.helpers import (
    get_async_db,
    get_db,
    get_session,
    get_session_dependency,
)
from shared_infrastructure.web.middleware import DATABASE_STATE_KEY, SESSION_STATE_KEY

__all__ = [
    "AsyncDb",
    "CommittingSession",
    "DbSession",
    "MissingSessionMiddleware",
    "RequestDatabase",
    "SyncDb",
    "get_async_db",
    "get_db",
    "get_request_database",
    "get_request_session",
    "get_session",
    "get_session_dependency",
]


class MissingSessionMiddleware(RuntimeError):
    """``DbSession`` was asked for outside ``DatabaseSessionMiddleware``."""


async def get_request_database(request: Request) -> AsyncDatabase:
    """The database serving this request: the middleware's, the app's
    (``app.state.database``), else the default one."""
    database = request.scope.get("state", {}).get(DATABASE_STATE_KEY)
    if isinstance(database, AsyncDatabase):
        return database
    database = getattr(request.app.state, "database", None)
    if isinstance(database, AsyncDatabase):
        return database
    return get_async_database()


async def get_request_session(request: Request) -> AsyncSession:
    """The session of the request's ``database.scope()``."""
    session = request.scope.get("state", {}).get(SESSION_STATE_KEY)
    if isinstance(session, AsyncSession):
        return session
    database = await get_request_database(request)
    if database.has_scope():
        return database.session
    raise MissingSessionMiddleware(
        "no request-scoped session: add DatabaseSessionMiddleware to the app"
    )


DbSession = Annotated[AsyncSession, Depends(get_request_session)]
RequestDatabase = Annotated[AsyncDatabase, Depends(get_request_database)]
# Seed helpers (re-exported above for ``Depends(...)``): their own session per
# request, finished before the response goes out.
CommittingSession = Annotated[AsyncSession, Depends(get_session_dependency, scope="function")]
AsyncDb = Annotated[AsyncSession, Depends(get_async_db, scope="function")]
SyncDb = Annotated[Session, Depends(get_db, scope="function")]
