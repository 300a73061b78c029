"""The unit-of-work port of this context: one transaction, its repositories."""

from __future__ import annotations

from events.domain import EventRepository, RegistrationRepository, TicketProductRepository
from shared_infrastructure.application import UnitOfWork


class EventsUnitOfWork(UnitOfWork):
    """Adapters set the repositories; use cases reach them only through it."""

    events: EventRepository
    registrations: RegistrationRepository
    ticket_products: TicketProductRepository
