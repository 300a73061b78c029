"""Entities compare by identity; aggregate roots also collect domain events."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from shared_infrastructure.domain.errors import VersionMismatch
from shared_infrastructure.domain.events import DomainEvent

IdT = TypeVar("IdT")


class Entity(Generic[IdT]):
    """An object defined by its identity, not by its attributes."""

    id: IdT

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entity):
            return NotImplemented
        return type(self) is type(other) and self.id == other.id

    def __hash__(self) -> int:
        return hash((type(self), self.id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"


class AggregateRoot(Entity[IdT]):
    """Consistency boundary: loaded, changed and saved as one unit.

    ``version`` is the optimistic-concurrency token; the persistence adapter
    checks and bumps it, domain code never touches it.
    """

    version: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending_events: list[DomainEvent] = []

    def _events(self) -> list[DomainEvent]:
        # Aggregates rebuilt by a mapper may bypass __init__ (``__new__``).
        try:
            return self._pending_events
        except AttributeError:
            self._pending_events = []
            return self._pending_events

    def check_version(self, expected: int | None) -> None:
        """Raise ``VersionMismatch`` unless ``expected`` is None or current."""
        if expected is not None and expected != self.version:
            raise VersionMismatch(type(self).__name__, self.id, expected)

    def record_event(self, event: DomainEvent) -> None:
        self._events().append(event)

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._events())

    def pull_events(self) -> list[DomainEvent]:
        """Hand the recorded events over and forget them."""
        events = list(self._events())
        self._events().clear()
        return events
