"""The repository port: a collection-like view of one aggregate type."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

from shared_infrastructure.domain.entity import AggregateRoot
from shared_infrastructure.domain.errors import NotFound
from shared_infrastructure.domain.query import Page, QuerySpec

AggregateT = TypeVar("AggregateT", bound=AggregateRoot)  # type: ignore[type-arg]
IdT = TypeVar("IdT")


class Repository(ABC, Generic[AggregateT, IdT]):
    """Aggregates in, aggregates out; persistence happens on unit-of-work commit.

    There is deliberately no ``save``/``update``: the unit of work tracks every
    aggregate a repository hands out and writes the changes back on commit.
    """

    entity_name: str = "Aggregate"

    @abstractmethod
    async def add(self, aggregate: AggregateT) -> None: ...

    @abstractmethod
    async def get(self, identifier: IdT) -> AggregateT | None: ...

    async def get_or_raise(self, identifier: IdT) -> AggregateT:
        aggregate = await self.get(identifier)
        if aggregate is None:
            raise NotFound(self.entity_name, identifier)
        return aggregate

    @abstractmethod
    async def remove(self, aggregate: AggregateT) -> None: ...

    @abstractmethod
    async def list(self, spec: QuerySpec | None = None) -> Page[AggregateT]: ...


class SyncRepository(ABC, Generic[AggregateT, IdT]):
    """The synchronous twin of :class:`Repository` (workers, scripts)."""

    entity_name: str = "Aggregate"

    @abstractmethod
    def add(self, aggregate: AggregateT) -> None: ...

    @abstractmethod
    def get(self, identifier: IdT) -> AggregateT | None: ...

    def get_or_raise(self, identifier: IdT) -> AggregateT:
        aggregate = self.get(identifier)
        if aggregate is None:
            raise NotFound(self.entity_name, identifier)
        return aggregate

    @abstractmethod
    def remove(self, aggregate: AggregateT) -> None: ...

    @abstractmethod
    def list(self, spec: QuerySpec | None = None) -> Page[AggregateT]: ...
