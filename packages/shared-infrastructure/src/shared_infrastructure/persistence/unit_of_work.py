"""SQLAlchemy units of work, async and sync.

A unit of work either *owns* its session (none was open: it opens one,
commits it and closes it) or *joins* the session of an open scope (an HTTP
request under ``DatabaseSessionMiddleware``, an inbox delivery: one session
and one connection per scope). A joined unit of work never ends the scope's
transaction: its ``commit()`` writes its changes inside a SAVEPOINT that it
releases, a failure rolls back to that SAVEPOINT, and leaving its block only
discards what it staged and never wrote. The scope's owner commits (see
docs/adr/0016-one-owner-per-transaction.md).

Commit = write back tracked aggregates, flush with version checks, write
the integration events of the committed domain events to the outbox, then
commit (owned) or release the SAVEPOINT (joined). Any failure rolls back and
surfaces as a domain-level error (``ConcurrencyConflict``,
``IntegrityConflict``, ``DatabaseUnavailable``).

Every decision lives once, in :class:`_Transaction`, written against the
sync ``Session``; the async unit of work runs it through
``AsyncSession.run_sync`` (one greenlet hop per step), the sync one calls it
directly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    PublishedLanguage,
)
from shared_infrastructure.application.unit_of_work import SyncUnitOfWork, UnitOfWork
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.errors import (
    SerializationConflict,
    StaleVersionError,
    is_serialization_failure,
    translate_error,
)
from shared_infrastructure.database.write_intent import begin_writing
from shared_infrastructure.messaging.outbox import write_to_outbox
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


class _Transaction:
    """What one unit of work does to its session, sync and I/O-agnostic.

    ``joined``: the session belongs to an open scope, whose owner commits.
    """

    def __init__(self, tracker: Tracker, *, joined: bool) -> None:
        self.tracker = tracker
        self.joined = joined

    def begin(self, session: Session, *, write_intent: bool) -> None:
        """Declare write intent (a no-op once the scope's transaction began)."""
        if write_intent:
            try:
                begin_writing(session)
            except Exception as error:
                raise _translate(error, self.tracker) from error

    def commit(self, session: Session, events: Sequence[IntegrationEvent]) -> None:
        savepoint: SessionTransaction | None = session.begin_nested() if self.joined else None
        try:
            self.tracker.write_back(session)
            session.flush()
            write_to_outbox(session, events)
            if savepoint is not None:
                savepoint.commit()
            else:
                session.commit()
        except Exception as error:
            if savepoint is None:
                session.rollback()
            elif session.get_nested_transaction() is savepoint:  # not released yet
                savepoint.rollback()
            raise _translate(error, self.tracker) from error
        self.tracker.committed()

    def rollback(self, session: Session) -> None:
        """Owned: roll the transaction back. Joined: forget what this unit
        of work staged but never wrote; the scope's work is not ours."""
        if not self.joined:
            session.rollback()
            return
        for tracked in self.tracker.by_aggregate.values():
            record = tracked.record
            if record in session.new or record in session.deleted:
                session.expunge(record)


class _RepositoryHook:
    """The hook where a context creates its repositories."""

    tracker: Tracker

    def _create_repositories(self) -> None:
        """Hook: create the context's repositories, e.g.
        ``self.products = SqlAlchemyProductRepository(self)``."""


class SqlAlchemyUnitOfWork(_RepositoryHook, UnitOfWork):
    """``published_language``: the context's mapping from its domain events
    to the integration events written to the outbox at commit."""

    def __init__(
        self, database: AsyncDatabase, *, published_language: PublishedLanguage | None = None
    ) -> None:
        super().__init__(published_language=published_language)
        self._database = database
        self._session: AsyncSession | None = None
        self._transaction: _Transaction | None = None
        self.tracker = Tracker()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def _begin(self, *, write_intent: bool) -> None:
        joined = self._database.has_scope()
        self._session = self._database.session if joined else self._database.session_factory()
        self._transaction = _Transaction(self.tracker, joined=joined)
        self.tracker.clear()
        self._create_repositories()
        if write_intent:
            try:
                await self._session.run_sync(self._transaction.begin, write_intent=True)
            except BaseException:
                await self._close()
                raise

    async def _commit(self) -> None:
        assert self._transaction is not None
        await self.session.run_sync(self._transaction.commit, self._integration_events())

    async def _rollback(self) -> None:
        if self._session is not None and self._transaction is not None:
            await self._session.run_sync(self._transaction.rollback)

    async def _close(self) -> None:
        session, self._session = self._session, None
        transaction, self._transaction = self._transaction, None
        self.tracker.clear()
        if session is not None and transaction is not None and not transaction.joined:
            await session.close()


class SyncSqlAlchemyUnitOfWork(_RepositoryHook, SyncUnitOfWork):
    """The sync twin, over a ``Database`` (workers, scripts)."""

    def __init__(
        self, database: Database, *, published_language: PublishedLanguage | None = None
    ) -> None:
        super().__init__(published_language=published_language)
        self._database = database
        self._session: Session | None = None
        self._transaction: _Transaction | None = None
        self.tracker = Tracker()

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `with uow:`")
        return self._session

    def _begin(self, *, write_intent: bool) -> None:
        joined = self._database.has_scope()
        self._session = self._database.session if joined else self._database.session_factory()
        self._transaction = _Transaction(self.tracker, joined=joined)
        self.tracker.clear()
        self._create_repositories()
        if write_intent:
            try:
                self._transaction.begin(self._session, write_intent=True)
            except BaseException:
                self._close()
                raise

    def _commit(self) -> None:
        assert self._transaction is not None
        self._transaction.commit(self.session, self._integration_events())

    def _rollback(self) -> None:
        if self._session is not None and self._transaction is not None:
            self._transaction.rollback(self._session)

    def _close(self) -> None:
        session, self._session = self._session, None
        transaction, self._transaction = self._transaction, None
        self.tracker.clear()
        if session is not None and transaction is not None and not transaction.joined:
            session.close()


__all__ = ["SqlAlchemyUnitOfWork", "SyncSqlAlchemyUnitOfWork"]
