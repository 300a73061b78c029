"""Plain, immutable results of the use cases.

Callers (the HTTP layer, scripts) never hold a live aggregate, so they
cannot change one outside a unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.domain import Event, EventStatus, Registration, RegistrationStatus


@dataclass(frozen=True)
class RegistrationDetails:
    id: str
    event_id: str
    attendee_email: str
    seats: int
    status: RegistrationStatus
    registered_at: datetime
    cancelled_at: datetime | None
    # The event's version after this registration: a fresh ETag for the event.
    event_version: int

    @classmethod
    def of(cls, event: Event, registration: Registration) -> RegistrationDetails:
        return cls(
            id=registration.id,
            event_id=event.id,
            attendee_email=registration.attendee_email,
            seats=registration.seats,
            status=registration.status,
            registered_at=registration.registered_at,
            cancelled_at=registration.cancelled_at,
            event_version=event.version,
        )


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
    version: int

    @classmethod
    def of(cls, event: Event) -> EventSummary:
        return cls(**_summary_fields(event))


@dataclass(frozen=True)
class EventDetails(EventSummary):
    registrations: tuple[RegistrationDetails, ...] = ()

    @classmethod
    def of(cls, event: Event) -> EventDetails:
        return cls(
            **_summary_fields(event),
            registrations=tuple(RegistrationDetails.of(event, r) for r in event.registrations),
        )


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
        "version": event.version,
    }
