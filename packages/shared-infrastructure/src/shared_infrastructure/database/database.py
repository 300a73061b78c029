"""``Database`` and ``AsyncDatabase`` an engine, its session
factory, and request/task-scoped sessions kept in a ``ContextVar``.

``scope()`` opens a session for its block; everything the block runs uses
it, including work it awaits through helper tasks (``asyncio.wait_for``,
``asyncio.to_thread``), since asyncio copies the context into them. Each
request has its own scope, so two requests never share a session; tasks
that run *concurrently* inside one scope open a ``scope()`` of their own
(an ``AsyncSession`` runs one statement at a time). Outside any scope,
``session`` falls back to an *implicit* session that belongs to the task
that opened it and is closed when that task ends (``remove()`` closes it
earlier, and is the way for plain threads).

Sessions are never shared across threads: a scope is seen by the thread
that opened it (and its tasks), and a thread running with a copy of the
caller's context (``asyncio.to_thread``, Starlette's thread pool for
``def`` routes) gets an implicit session of its own, closed when that
copied context is discarded, i.e. when the thread's work returns.
After a database error outside a transaction block, the implicit session
rolls back by itself, so the next statement runs.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from shared_infrastructure.config.settings import Settings, get_settings
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.database.sessions import (
    ROLLBACK_ON_ERROR,
    async_savepoint_block,
    async_transaction_block,
    create_async_session_factory,
    create_sync_session_factory,
    savepoint_block,
    transaction_block,
    transaction_depth,
)

_ids = itertools.count()

S = TypeVar("S", Session, AsyncSession)


Owner = asyncio.Task[Any] | threading.Thread


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop in this thread
        return None


def _current_owner() -> Owner:
    """The running task, else (no event loop in this thread) the thread."""
    return _current_task() or threading.current_thread()


@dataclass(frozen=True, slots=True, weakref_slot=True)
class _Owned(Generic[S]):
    session: S
    owner: Owner
    thread: threading.Thread


class _ScopedSessions(Generic[S]):
    """Which session is "current": the innermost ``scope()`` of this
    context, else the running task's implicit session. Shared by both
    flavours; only opening and closing sessions differs between them."""

    def __init__(
        self, factory: Callable[[], S], label: str, close: Callable[[S], Awaitable[None] | None]
    ) -> None:
        suffix = next(_ids)
        self._factory: Callable[[], S] = factory
        self._close: Callable[[S], Awaitable[None] | None] = close
        self._closing: set[asyncio.Task[None]] = set()
        self.scoped: ContextVar[_Owned[S] | None] = ContextVar(
            f"{label}_scope_{suffix}", default=None
        )
        self.implicit: ContextVar[_Owned[S] | None] = ContextVar(
            f"{label}_implicit_{suffix}", default=None
        )

    @staticmethod
    def _mine(owned: _Owned[S] | None) -> S | None:
        """The implicit session if the running task (or thread) opened it: a
        child task or a thread sees its parent's in the copied context, and
        gets its own."""
        return owned.session if owned is not None and owned.owner is _current_owner() else None

    def _scoped(self) -> S | None:
        """The innermost scope's session, unless the scope belongs to
        another thread (a thread given a copy of the context)."""
        owned = self.scoped.get()
        if owned is None or owned.thread is not threading.current_thread():
            return None
        return owned.session

    def enter(self, session: S) -> Token[_Owned[S] | None]:
        return self.scoped.set(_Owned(session, _current_owner(), threading.current_thread()))

    def leave(self, token: Token[_Owned[S] | None]) -> None:
        self.scoped.reset(token)

    def current(self) -> S:
        scoped = self._scoped()
        if scoped is not None:
            return scoped
        implicit = self._mine(self.implicit.get())
        if implicit is None:
            implicit = self._factory()
            implicit.info[ROLLBACK_ON_ERROR] = True
            owner = _current_owner()
            owned = _Owned(implicit, owner, threading.current_thread())
            self.implicit.set(owned)
            if isinstance(owner, asyncio.Task):
                owner.add_done_callback(lambda _task: self._release(implicit))
            else:
                # Gone with the context holding it: a thread's copied context
                # when its work returns, a plain thread's when it ends.
                weakref.finalize(owned, self._release, implicit)
        return implicit

    def _release(self, session: S) -> None:
        """Close the implicit session of a task that ended (no leak of its
        connection); an async close runs as a task of its own."""
        closing = self._close(session)
        if closing is None:
            return
        try:
            task = asyncio.get_running_loop().create_task(cast(Coroutine[Any, Any, None], closing))
        except RuntimeError:  # the loop is gone; the engine's disposal reclaims it
            cast(Coroutine[Any, Any, None], closing).close()
            return
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def peek(self) -> S | None:
        return self._scoped() or self._mine(self.implicit.get())

    def has_scope(self) -> bool:
        return self._scoped() is not None

    def in_transaction(self) -> bool:
        current = self.peek()
        return current is not None and transaction_depth(current) > 0

    def take_implicit(self) -> S | None:
        implicit = self._mine(self.implicit.get())
        if implicit is not None:
            self.implicit.set(None)
        return implicit


class Database:
    """Sync engine + session factory + scoped sessions (scripts, workers)."""

    def __init__(
        self,
        engine: Engine,
        session_factory: sessionmaker[Session] | None = None,
    ) -> None:
        self.engine = engine
        self.session_factory = session_factory or create_sync_session_factory(engine)
        self._sessions = _ScopedSessions[Session](self.session_factory, "db", Session.close)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Database:
        return cls(create_sync_engine(settings or get_settings()))

    @contextmanager
    def scope(self) -> Iterator[Session]:
        """A fresh session for this block; rolled back on error, always closed.

        Nothing is committed implicitly: use ``transaction()`` or commit.
        """
        session = self.session_factory()
        token = self._sessions.enter(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            self._sessions.leave(token)

    @property
    def session(self) -> Session:
        """The current scope's session (or this context's implicit one)."""
        return self._sessions.current()

    def has_scope(self) -> bool:
        return self._sessions.has_scope()

    def transaction(self) -> AbstractContextManager[Session]:
        """Commit on success, roll back on error; nested blocks are SAVEPOINTs."""
        return transaction_block(self.session)

    def savepoint(self) -> AbstractContextManager[Session]:
        return savepoint_block(self.session)

    def is_in_transaction(self) -> bool:
        """True inside a ``transaction()``/``savepoint()`` block."""
        return self._sessions.in_transaction()

    def remove(self) -> None:
        """Close this context's implicit session, if any."""
        implicit = self._sessions.take_implicit()
        if implicit is not None:
            implicit.close()

    def dispose(self) -> None:
        self.remove()
        self.engine.dispose()


class AsyncDatabase:
    """Async engine + session factory + scoped sessions (the API)."""

    def __init__(
        self,
        engine: AsyncEngine,
        session_factory: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.engine = engine
        self.session_factory = session_factory or create_async_session_factory(engine)
        self._sessions = _ScopedSessions[AsyncSession](
            self.session_factory, "async_db", AsyncSession.close
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AsyncDatabase:
        return cls(create_async_db_engine(settings or get_settings()))

    @asynccontextmanager
    async def scope(self) -> AsyncIterator[AsyncSession]:
        session = self.session_factory()
        token = self._sessions.enter(session)
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()
            self._sessions.leave(token)

    @property
    def session(self) -> AsyncSession:
        return self._sessions.current()

    def has_scope(self) -> bool:
        return self._sessions.has_scope()

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        return async_transaction_block(self.session)

    def savepoint(self) -> AbstractAsyncContextManager[AsyncSession]:
        return async_savepoint_block(self.session)

    def is_in_transaction(self) -> bool:
        return self._sessions.in_transaction()

    async def remove(self) -> None:
        implicit = self._sessions.take_implicit()
        if implicit is not None:
            await implicit.close()

    async def dispose(self) -> None:
        await self.remove()
        await self.engine.dispose()
