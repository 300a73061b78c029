"""Facts the ``Event`` aggregate records about itself, one per change.

``aggregate_id`` names the event: ``event_id`` is already the id of the
domain event itself (see ``DomainEvent``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared_infrastructure.domain import DomainEvent


@dataclass(frozen=True, kw_only=True)
class EventCreated(DomainEvent):
    aggregate_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True, kw_only=True)
class EventDetailsUpdated(DomainEvent):
    aggregate_id: str
    changed_fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class EventCapacityChanged(DomainEvent):
    aggregate_id: str
    old_capacity: int
    new_capacity: int


@dataclass(frozen=True, kw_only=True)
class EventRescheduled(DomainEvent):
    aggregate_id: str
    old_starts_at: datetime
    old_ends_at: datetime
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, kw_only=True)
class EventPublished(DomainEvent):
    aggregate_id: str


@dataclass(frozen=True, kw_only=True)
class EventCancelled(DomainEvent):
    aggregate_id: str
    cancelled_registrations: int


@dataclass(frozen=True, kw_only=True)
class AttendeeRegistered(DomainEvent):
    aggregate_id: str
    registration_id: str
    attendee_email: str
    seats: int


@dataclass(frozen=True, kw_only=True)
class RegistrationCancelled(DomainEvent):
    """An attendee backed out. A cancelled event records one ``EventCancelled``
    (with how many registrations it cancelled), not one of these each."""

    aggregate_id: str
    registration_id: str
    attendee_email: str
    seats: int
