"""Use cases of the events context; depends on the domain and on ports only."""

from events.application.clock import Clock, utc_now
from events.application.commands import CreateEvent, EventChanges
from events.application.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    REGISTRATION_SORTS,
    SORTABLE,
    ListEvents,
    ListRegistrations,
)
from events.application.results import (
    EventDetails,
    EventSummary,
    RegistrationDetails,
    TicketDetails,
)
from events.application.service import EventPublisher, EventService, UnitOfWorkFactory
from events.application.ticket_products import (
    TicketProductProjection,
    ticket_product_subscriptions,
)
from events.application.unit_of_work import EventsUnitOfWork

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "REGISTRATION_SORTS",
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
    "ListRegistrations",
    "RegistrationDetails",
    "TicketDetails",
    "TicketProductProjection",
    "UnitOfWorkFactory",
    "ticket_product_subscriptions",
    "utc_now",
]
