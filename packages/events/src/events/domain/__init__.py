"""Domain of the events context: pure Python, no framework imports."""

from events.domain.domain_events import (
    AttendeeRegistered,
    EventCancelled,
    EventCapacityChanged,
    EventCreated,
    EventDetailsUpdated,
    EventPublished,
    EventRescheduled,
    RegistrationCancelled,
)
from events.domain.errors import (
    AlreadyRegistered,
    EventFull,
    InvalidEventState,
    RegistrationClosed,
    TicketNotOnSale,
)
from events.domain.event import Event
from events.domain.identifiers import (
    is_event_id,
    is_registration_id,
    new_event_id,
    new_registration_id,
    validate_event_id,
)
from events.domain.registration import Registration, normalize_email
from events.domain.repository import (
    EventRepository,
    RegistrationRepository,
    TicketProductRepository,
)
from events.domain.schedule import Schedule
from events.domain.status import EventStatus, RegistrationStatus
from events.domain.ticket import (
    TicketPrice,
    TicketProduct,
    is_ticket_product_code,
    validate_ticket_product_code,
)

__all__ = [
    "AlreadyRegistered",
    "AttendeeRegistered",
    "Event",
    "EventCancelled",
    "EventCapacityChanged",
    "EventCreated",
    "EventDetailsUpdated",
    "EventFull",
    "EventPublished",
    "EventRepository",
    "EventRescheduled",
    "EventStatus",
    "InvalidEventState",
    "Registration",
    "RegistrationCancelled",
    "RegistrationClosed",
    "RegistrationRepository",
    "RegistrationStatus",
    "Schedule",
    "TicketNotOnSale",
    "TicketPrice",
    "TicketProduct",
    "TicketProductRepository",
    "is_event_id",
    "is_registration_id",
    "is_ticket_product_code",
    "new_event_id",
    "new_registration_id",
    "normalize_email",
    "validate_event_id",
    "validate_ticket_product_code",
]
