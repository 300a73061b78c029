"""The unit-of-work port: one business transaction, committed explicitly.

Async first (``UnitOfWork``); ``SyncUnitOfWork`` is the same contract for
workers and scripts. Both share the bookkeeping in ``_UnitOfWorkState``.

``async with uow:`` opens a unit of work for reading, or for a write that
may lose a race and be retried. ``async with uow.writing():`` declares up
front that the use case will write: a database with a single writer
(SQLite) then takes its write lock when the transaction begins, so
concurrent writers queue instead of failing on a stale snapshot. Servers
with row locks ignore the hint.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import Any, Self

from shared_infrastructure.application.integration_events import (
    IntegrationEvent,
    PublishedLanguage,
)
from shared_infrastructure.domain.entity import AggregateRoot
from shared_infrastructure.domain.events import DomainEvent


class _UnitOfWorkState:
    """Seen aggregates and the events released by successful commits.

    ``published_language`` maps the domain events about to be committed to
    the integration events an adapter writes to its outbox in the same
    transaction (nothing is published when it is ``None``).
    """

    def __init__(self, *, published_language: PublishedLanguage | None = None) -> None:
        self._seen: dict[int, AggregateRoot[Any]] = {}
        self._committed_events: list[DomainEvent] = []
        self.published_language = published_language

    def track(self, aggregate: AggregateRoot[Any]) -> None:
        """Repositories call this for every aggregate they hand out or add."""
        self._seen[id(aggregate)] = aggregate

    @property
    def seen(self) -> tuple[AggregateRoot[Any], ...]:
        return tuple(self._seen.values())

    def collect_events(self) -> list[DomainEvent]:
        """Events of aggregates whose changes were committed, oldest first."""
        events, self._committed_events = self._committed_events, []
        return events

    def _integration_events(self) -> list[IntegrationEvent]:
        """What the pending domain events of the seen aggregates publish,
        oldest first; the events stay pending until the commit succeeded."""
        if self.published_language is None:
            return []
        return [
            published
            for aggregate in self._seen.values()
            for event in aggregate.pending_events
            for published in self.published_language(event)
        ]

    def _release_events(self) -> None:
        for aggregate in self._seen.values():
            self._committed_events.extend(aggregate.pull_events())

    def _forget(self) -> None:
        self._seen.clear()


class UnitOfWork(_UnitOfWorkState, ABC):
    """Async context manager around one business transaction.

    :meth:`commit` writes back every aggregate the repositories handed out
    (use cases never call ``save``); only after it succeeded are the
    aggregates' domain events moved to :meth:`collect_events`. Leaving the
    block always rolls back whatever was not committed.
    """

    async def __aenter__(self) -> Self:
        self._forget()
        await self._begin(write_intent=False)
        return self

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Self]:
        """Like ``async with uow:``, for a use case that will write."""
        self._forget()
        await self._begin(write_intent=True)
        try:
            yield self
        finally:
            await self.__aexit__(None, None, None)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self._close()

    async def commit(self) -> None:
        await self._commit()
        self._release_events()

    async def rollback(self) -> None:
        await self._rollback()

    async def _begin(self, *, write_intent: bool) -> None:
        """Hook: open the transaction (e.g. a session); ``write_intent``
        says the block was entered with :meth:`writing`."""

    async def _close(self) -> None:
        """Hook: release resources after the block."""

    @abstractmethod
    async def _commit(self) -> None: ...

    @abstractmethod
    async def _rollback(self) -> None: ...


class SyncUnitOfWork(_UnitOfWorkState, ABC):
    """The same contract as :class:`UnitOfWork`, for synchronous code."""

    def __enter__(self) -> Self:
        self._forget()
        self._begin(write_intent=False)
        return self

    @contextmanager
    def writing(self) -> Iterator[Self]:
        """Like ``with uow:``, for a use case that will write."""
        self._forget()
        self._begin(write_intent=True)
        try:
            yield self
        finally:
            self.__exit__(None, None, None)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._close()

    def commit(self) -> None:
        self._commit()
        self._release_events()

    def rollback(self) -> None:
        self._rollback()

    def _begin(self, *, write_intent: bool) -> None:
        """Hook: open the transaction (see :meth:`UnitOfWork._begin`)."""

    def _close(self) -> None:
        """Hook: release resources after the block."""

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...
