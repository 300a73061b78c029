"""``Database`` and ``AsyncDatabase`` (seed 000): an engine, its session
factory, and request/task-scoped sessions kept in a ``ContextVar``.

Each ``scope()`` gets its own session; asyncio tasks copy the context when
created, so two concurrent tasks (or requests) never share a session.
Outside any scope, ``session`` falls back to one *implicit* session per
context, which is what scripts using the active-record helpers want;
``remove()`` closes it.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from contextvars import ContextVar
from typing import Generic, TypeVar

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


class _ScopedSessions(Generic[S]):
    """Which session is "current" in this context: the innermost ``scope()``,
    else one implicit session per context. Shared by both flavours; only
    opening and closing sessions differs between them."""

    def __init__(self, factory: Callable[[], S], label: str) -> None:
        suffix = next(_ids)
        self._factory: Callable[[], S] = factory
        self.scoped: ContextVar[S | None] = ContextVar(f"{label}_scope_{suffix}", default=None)
        self.implicit: ContextVar[S | None] = ContextVar(f"{label}_implicit_{suffix}", default=None)

    def current(self) -> S:
        scoped = self.scoped.get()
        if scoped is not None:
            return scoped
        implicit = self.implicit.get()
        if implicit is None:
            implicit = self._factory()
            self.implicit.set(implicit)
        return implicit

    def peek(self) -> S | None:
        return self.scoped.get() or self.implicit.get()

    def has_scope(self) -> bool:
        return self.scoped.get() is not None

    def in_transaction(self) -> bool:
        current = self.peek()
        return current is not None and transaction_depth(current) > 0

    def take_implicit(self) -> S | None:
        implicit = self.implicit.get()
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
        self._sessions = _ScopedSessions[Session](self.session_factory, "db")

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Database:
        return cls(create_sync_engine(settings or get_settings()))

    @contextmanager
    def scope(self) -> Iterator[Session]:
        """A fresh session for this block; rolled back on error, always closed.

        Nothing is committed implicitly: use ``transaction()`` or commit.
        """
        session = self.session_factory()
        token = self._sessions.scoped.set(session)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            self._sessions.scoped.reset(token)

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
        self._sessions = _ScopedSessions[AsyncSession](self.session_factory, "async_db")

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AsyncDatabase:
        return cls(create_async_db_engine(settings or get_settings()))

    @asynccontextmanager
    async def scope(self) -> AsyncIterator[AsyncSession]:
        session = self.session_factory()
        token = self._sessions.scoped.set(session)
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()
            self._sessions.scoped.reset(token)

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
