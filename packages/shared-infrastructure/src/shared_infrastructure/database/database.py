"""``Database`` and ``AsyncDatabase`` (seed 000): an engine, its session
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
"""

from __future__ import annotations

import asyncio
import itertools
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


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop: plain threads own their sessions
        return None


@dataclass(frozen=True, slots=True)
class _Owned(Generic[S]):
    session: S
    owner: asyncio.Task[Any] | None


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
        """The implicit session if the running task opened it (a child task
        sees its parent's in the copied context, and gets its own)."""
        return owned.session if owned is not None and owned.owner is _current_task() else None

    def _scoped(self) -> S | None:
        owned = self.scoped.get()
        return owned.session if owned is not None else None

    def enter(self, session: S) -> Token[_Owned[S] | None]:
        return self.scoped.set(_Owned(session, _current_task()))

    def leave(self, token: Token[_Owned[S] | None]) -> None:
        self.scoped.reset(token)

    def current(self) -> S:
        scoped = self._scoped()
        if scoped is not None:
            return scoped
        implicit = self._mine(self.implicit.get())
        if implicit is None:
            implicit = self._factory()
            task = _current_task()
            self.implicit.set(_Owned(implicit, task))
            if task is not None:
                task.add_done_callback(lambda _task: self._release(implicit))
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
