"""The unit-of-work port of this context: one transaction, one repository."""

from __future__ import annotations

from events.domain import EventRepository
from shared_infrastructure.application import UnitOfWork


class EventsUnitOfWork(UnitOfWork):
    """Adapters set ``events``; use cases reach the repository only through it."""

    events: EventRepository
