"""Persistence adapters of the events context (SQLAlchemy, Alembic)."""

from pathlib import Path

from events.infrastructure.mapper import EventMapper
from events.infrastructure.records import EventRecord, RegistrationRecord
from events.infrastructure.repository import SqlAlchemyEventRepository
from events.infrastructure.unit_of_work import SqlAlchemyEventsUnitOfWork

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations" / "versions"
"""This context's Alembic version directory (branch label ``events``)."""
BRANCH_LABEL = "events"

__all__ = [
    "BRANCH_LABEL",
    "MIGRATIONS_DIR",
    "EventMapper",
    "EventRecord",
    "RegistrationRecord",
    "SqlAlchemyEventRepository",
    "SqlAlchemyEventsUnitOfWork",
]
