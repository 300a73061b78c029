"""The translation between an aggregate and its record(s)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from shared_infrastructure.domain.entity import AggregateRoot

A = TypeVar("A", bound=AggregateRoot[Any])
R = TypeVar("R")


class AggregateMapper(ABC, Generic[A, R]):
    """Pure translation, no I/O: the unit of work decides when to call it.

    ``to_record`` creates a record when ``record`` is None and otherwise
    updates it in place, child collections included. It must not touch the
    version column: the unit of work owns it.
    """

    record_type: type[R]

    @abstractmethod
    def to_aggregate(self, record: R) -> A: ...

    @abstractmethod
    def to_record(self, aggregate: A, record: R | None = None) -> R: ...
