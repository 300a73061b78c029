"""Use cases of the events context; depends on the domain and on ports only."""

from events.application.clock import Clock, utc_now
from events.application.commands import CreateEvent, EventChanges
from events.application.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    SORTABLE,
    ListEvents,
)
from events.application.results import EventDetails, EventSummary, RegistrationDetails
from events.application.service import EventPublisher, EventService, UnitOfWorkFactory
from events.application.unit_of_work import EventsUnitOfWork

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "SORTABLE",
    "Clock",
    "CreateEvent",
    "EventChanges",
    "EventDetails",
    "EventPublisher",
    "EventService",
    "EventSummary",
    "EventsUnitOfWork",
    "ListEvents",
    "RegistrationDetails",
    "UnitOfWorkFactory",
    "utc_now",
]
