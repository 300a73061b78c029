"""SQLAlchemy units of work, async and sync.

The async one joins the ``AsyncDatabase``'s active scope when there is one
(an HTTP request under ``DatabaseSessionMiddleware``: one session and one
connection per request) and otherwise opens and closes its own session.
Commit = write back tracked aggregates, flush with version checks, commit;
any failure rolls back and surfaces as a domain-level error
(``ConcurrencyConflict``, ``IntegrityConflict``, ``DatabaseUnavailable``).
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shared_infrastructure.application.unit_of_work import SyncUnitOfWork, UnitOfWork
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.errors import (
    SerializationConflict,
    StaleVersionError,
    is_serialization_failure,
    translate_error,
)
from shared_infrastructure.database.write_intent import async_begin_writing, begin_writing
from shared_infrastructure.persistence.tracking import Tracker

_STALE_TABLE = re.compile(r"on table '([^']+)'")


def _translate(error: Exception, tracker: Tracker) -> BaseException:
    """Name the aggregate in concurrency conflicts when it is certain which
    one it was (the only one written, or the only one written to the table
    the database complained about); the rest as usual."""
    written = tracker.written()
    if isinstance(error, StaleDataError):
        match = _STALE_TABLE.search(str(error))
        candidates = [
            tracked
            for tracked in written
            if match is None or tracked.record.__table__.name == match.group(1)
        ]
        if len(candidates) == 1:
            only = candidates[0]
            return StaleVersionError(only.entity_name, only.aggregate.id, error)
        names = {tracked.entity_name for tracked in candidates}
        return StaleVersionError(names.pop() if len(names) == 1 else "aggregate", None, error)
    if is_serialization_failure(error):
        if len(written) == 1:
            only = written[0]
            return SerializationConflict(
                error, entity=only.entity_name, identifier=only.aggregate.id
            )
        return SerializationConflict(error)
    return translate_error(error, metadata=Base.metadata)


class _RepositoryHook:
    """The hook where a context creates its repositories."""

    tracker: Tracker

    def _create_repositories(self) -> None:
        """Hook: create the context's repositories, e.g.
        ``self.products = SqlAlchemyProductRepository(self)``."""


class SqlAlchemyUnitOfWork(_RepositoryHook, UnitOfWork):
    def __init__(self, database: AsyncDatabase) -> None:
        super().__init__()
        self._database = database
        self._session: AsyncSession | None = None
        self._owns_session = False
        self.tracker = Tracker()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def _begin(self, *, write_intent: bool) -> None:
        self._owns_session = not self._database.has_scope()
        self._session = (
            self._database.session_factory() if self._owns_session else self._database.session
        )
        self.tracker.clear()
        self._create_repositories()
        if write_intent:
            try:
                await async_begin_writing(self._session)
            except Exception as error:
                await self._close()
                raise _translate(error, self.tracker) from error

    async def _commit(self) -> None:
        session = self.session
        try:
            self.tracker.write_back(session.sync_session)
            await session.commit()
        except Exception as error:
            await session.rollback()
            raise _translate(error, self.tracker) from error
        self.tracker.committed()

    async def _rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()

    async def _close(self) -> None:
        session, self._session = self._session, None
        self.tracker.clear()
        if session is not None and self._owns_session:
            await session.close()


class SyncSqlAlchemyUnitOfWork(_RepositoryHook, SyncUnitOfWork):
    """The sync twin, over a ``Database`` (workers, scripts)."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database
        self._session: Session | None = None
        self._owns_session = False
        self.tracker = Tracker()

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `with uow:`")
        return self._session

    def _begin(self, *, write_intent: bool) -> None:
        self._owns_session = not self._database.has_scope()
        self._session = (
            self._database.session_factory() if self._owns_session else self._database.session
        )
        self.tracker.clear()
        self._create_repositories()
        if write_intent:
            try:
                begin_writing(self._session)
            except Exception as error:
                self._close()
                raise _translate(error, self.tracker) from error

    def _commit(self) -> None:
        session = self.session
        try:
            self.tracker.write_back(session)
            session.commit()
        except Exception as error:
            session.rollback()
            raise _translate(error, self.tracker) from error
        self.tracker.committed()

    def _rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()

    def _close(self) -> None:
        session, self._session = self._session, None
        self.tracker.clear()
        if session is not None and self._owns_session:
            session.close()


__all__ = ["SqlAlchemyUnitOfWork", "SyncSqlAlchemyUnitOfWork"]
