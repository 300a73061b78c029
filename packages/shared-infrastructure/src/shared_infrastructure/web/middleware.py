"""``DatabaseSessionMiddleware``: one session scope per request,
committed before the response starts.

Committing when the app sends ``http.response.start`` (and not after the
body went out, as a dependency with ``yield`` would) means a failed commit
can still change the answer: the client gets 409/503/500 instead of a 2xx
for work that was never stored. Pure ASGI, not ``BaseHTTPMiddleware``, so
the endpoint runs in the request's context and sees the scope's session.

=========================================  ==================================
what happened                              what the middleware does
=========================================  ==================================
response starts with status < 400          commit, then forward the start
that commit fails                          rollback, send an error instead
response starts with status >= 400         rollback
the app raises                             rollback, re-raise
client gone before the response started    rollback (no one hears a 2xx)
always (also on cancellation)              close the session, shielded
=========================================  ==================================

The middleware is the transaction's only owner: a unit of work that joins
the request's scope writes inside a SAVEPOINT and never commits or rolls
back the request's transaction (docs/adr/0016-one-owner-per-transaction.md).
Work done after the response started (a streaming body, a background
task) is not committed by the middleware.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.defaults import get_async_database
from shared_infrastructure.web.errors import response_for_exception

logger = logging.getLogger("shared_infrastructure.web")

SESSION_STATE_KEY = "db_session"
DATABASE_STATE_KEY = "database"

DatabaseProvider = AsyncDatabase | Callable[[], AsyncDatabase]
T = TypeVar("T")


def resolve_database(provider: DatabaseProvider | None) -> AsyncDatabase:
    """An ``AsyncDatabase``, a callable returning one, or the default."""
    if provider is None:
        return get_async_database()
    return provider if isinstance(provider, AsyncDatabase) else provider()


async def run_to_completion(work: Awaitable[T]) -> T:
    """Await ``work`` even if this task is being cancelled (once, or over and
    over as an anyio cancel scope does), then re-raise the cancellation:
    cleanup that stops halfway leaks a connection."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True  # ours, not the work's: wait for the work, then re-raise
    if cancelled:
        raise asyncio.CancelledError
    return task.result()


async def _rollback_quietly(session: AsyncSession) -> None:
    try:
        await session.rollback()
    except Exception:
        logger.warning("rollback failed; the connection will be discarded", exc_info=True)


@dataclass
class _Exchange:
    """The state of one request/response exchange."""

    session: AsyncSession
    scope: Scope
    receive: Receive
    send: Send
    started: bool = False
    replaced: bool = False
    disconnected: bool = False

    async def receive_watching(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.disconnect":
            self.disconnected = True
        return message

    async def send_after_commit(self, message: Message) -> None:
        if self.replaced:
            return  # the app's own response was superseded by an error response
        if message["type"] == "http.response.start" and not self.started:
            self.started = True
            if message["status"] >= 400 or self.disconnected:
                await _rollback_quietly(self.session)
            elif not await self._commit():
                return
        await self.send(message)

    async def _commit(self) -> bool:
        try:
            await self.session.commit()
        except Exception as error:
            await _rollback_quietly(self.session)
            self.replaced = True
            response = response_for_exception(error, self.scope)
            await response(self.scope, self.receive, self.send)
            return False
        return True


class DatabaseSessionMiddleware:
    """Open ``database.scope()`` around each HTTP request (see module doc).

    ``database`` is an ``AsyncDatabase`` or a callable returning one (e.g.
    ``lambda: app.state.database`` when the lifespan opens it); by default
    the process-wide default database. The request's session is
    ``database.session`` and ``request.state.db_session``.
    """

    def __init__(self, app: ASGIApp, database: DatabaseProvider | None = None) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        database = resolve_database(self.database)
        async with database.scope() as session:
            state = scope.setdefault("state", {})
            state[SESSION_STATE_KEY] = session
            state[DATABASE_STATE_KEY] = database
            exchange = _Exchange(session, scope, receive, send)
            try:
                await self.app(scope, exchange.receive_watching, exchange.send_after_commit)
            except BaseException:
                await run_to_completion(_rollback_quietly(session))
                raise
            finally:
                await run_to_completion(session.close())
