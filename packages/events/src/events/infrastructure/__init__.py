"""Persistence adapters of the events context (SQLAlchemy, Alembic)."""

from events.infrastructure.mapper import EventMapper
from events.infrastructure.migrations import BRANCH_LABEL, VERSION_LOCATION
from events.infrastructure.records import EventRecord, RegistrationRecord
from events.infrastructure.repository import SqlAlchemyEventRepository
from events.infrastructure.unit_of_work import SqlAlchemyEventsUnitOfWork

__all__ = [
    "BRANCH_LABEL",
    "VERSION_LOCATION",
    "EventMapper",
    "EventRecord",
    "RegistrationRecord",
    "SqlAlchemyEventRepository",
    "SqlAlchemyEventsUnitOfWork",
]
