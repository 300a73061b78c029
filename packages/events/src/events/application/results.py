"""Plain, immutable results of the use cases.

Callers (the HTTP layer, scripts) never hold a live aggregate, so they
cannot change one outside a unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.domain import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    TicketPrice,
    TicketProduct,
)


@dataclass(frozen=True)
class RegistrationDetails:
    id: str
    event_id: str
    attendee_email: str
    seats: int
    status: RegistrationStatus
    registered_at: datetime
    cancelled_at: datetime | None
    # The event's version after this registration (a fresh ETag for the
    # event); None when the registration was read without its event.
    event_version: int | None = None

    @classmethod
    def of(cls, registration: Registration, event: Event | None = None) -> RegistrationDetails:
        return cls(
            id=registration.id,
            event_id=registration.event_id,
            attendee_email=registration.attendee_email,
            seats=registration.seats,
            status=registration.status,
            registered_at=registration.registered_at,
            cancelled_at=registration.cancelled_at,
            event_version=None if event is None else event.version,
        )


@dataclass(frozen=True)
class TicketDetails:
    """The event's ticket: the catalog product it is sold as, as last heard.

    ``price`` is None and ``on_sale`` False while the catalog has told
    nothing about the product yet."""

    product_code: str
    price: TicketPrice | None
    on_sale: bool

    @classmethod
    def of(cls, product_code: str, product: TicketProduct | None) -> TicketDetails:
        if product is None:
            return cls(product_code=product_code, price=None, on_sale=False)
        return cls(product_code=product_code, price=product.price, on_sale=product.on_sale)


@dataclass(frozen=True)
class EventSummary:
    id: str
    title: str
    description: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: EventStatus
    seats_taken: int
    seats_available: int
    registration_count: int
    version: int

    @classmethod
    def of(cls, event: Event) -> EventSummary:
        return cls(**_summary_fields(event))


@dataclass(frozen=True)
class EventDetails(EventSummary):
    """One event, a fixed size whatever its registrations (those are paged
    apart); ``ticket`` is None for an event sold without a ticket product."""

    ticket: TicketDetails | None = None

    @classmethod
    def of(cls, event: Event, ticket_product: TicketProduct | None = None) -> EventDetails:
        code = event.ticket_product_code
        ticket = None if code is None else TicketDetails.of(code, ticket_product)
        return cls(**_summary_fields(event), ticket=ticket)


def _summary_fields(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "venue": event.venue,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "status": event.status,
        "seats_taken": event.seats_taken,
        "seats_available": event.seats_available,
        "registration_count": event.registration_count,
        "version": event.version,
    }
