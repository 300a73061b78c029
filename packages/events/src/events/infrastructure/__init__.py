"""Persistence adapters of the events context (SQLAlchemy, Alembic)."""

from events.infrastructure.mapper import EventMapper, RegistrationMapper, TicketProductMapper
from events.infrastructure.migrations import BRANCH_LABEL, VERSION_LOCATION
from events.infrastructure.records import EventRecord, RegistrationRecord, TicketProductRecord
from events.infrastructure.repository import (
    SqlAlchemyEventRepository,
    SqlAlchemyRegistrationRepository,
    SqlAlchemyTicketProductRepository,
)
from events.infrastructure.unit_of_work import SqlAlchemyEventsUnitOfWork

__all__ = [
    "BRANCH_LABEL",
    "VERSION_LOCATION",
    "EventMapper",
    "EventRecord",
    "RegistrationMapper",
    "RegistrationRecord",
    "SqlAlchemyEventRepository",
    "SqlAlchemyEventsUnitOfWork",
    "SqlAlchemyRegistrationRepository",
    "SqlAlchemyTicketProductRepository",
    "TicketProductMapper",
    "TicketProductRecord",
]
