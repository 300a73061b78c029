"""ORM records of the events context on the shared ``Base``.

``EventRecord`` is also the script-style active record (it extends
the shared ``BaseModel``, which is ``Base`` plus timestamps and
``save()``/``delete()``); see :mod:`events.infrastructure.active_record`
for why the table is mapped once rather than by a second class.

The CHECK constraints repeat the domain's core rules so that no writer that
bypasses the aggregate (a script, a hand-written SQL fix) can store an
event the domain could not load. ``seats_taken`` and
``registration_count`` are the aggregate's counters: every registration
updates them on the event row (version-checked), which lets the database
itself refuse overbooking and lets reads show availability without
touching the registrations.

``RegistrationRecord`` has no ORM relationship to its event on purpose:
registrations are read a page at a time and written one row at a time,
never as a collection of the event.

``TicketProductRecord`` is this context's copy of catalog products (the
projection fed by the catalog's integration events). Events refer to it by
code without a foreign key: an event may name a product the catalog has
not told us about yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from events.domain import EventStatus, Schedule, validate_event_id
from events.domain.details import (
    validate_capacity,
    validate_description,
    validate_title,
    validate_venue,
)
from events.domain.ticket import MAX_AMOUNT_LENGTH, MAX_PRODUCT_CODE_LENGTH
from shared_infrastructure.database.active_record import BaseModel
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import VersionMixin
from shared_infrastructure.domain import DomainRuleViolation

EVENT_STATUSES = ("draft", "published", "cancelled")
REGISTRATION_STATUSES = ("confirmed", "cancelled")
_REQUIRED = ("id", "title", "starts_at", "ends_at", "capacity")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class EventRecord(BaseModel, VersionMixin):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint(
            "registration_count >= 0 AND registration_count <= seats_taken",
            name="registrations_within_seats",
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        CheckConstraint(_one_of("status", EVENT_STATUSES), name="status_known"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_count: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    ticket_product_code: Mapped[str | None] = mapped_column(String(MAX_PRODUCT_CODE_LENGTH))

    def save(self) -> Self:
        """Scripts bypass the aggregate, so apply its field rules here: a bad
        value fails with the domain's message and nothing is written."""
        missing = [name for name in _REQUIRED if getattr(self, name) is None]
        if missing:
            raise DomainRuleViolation(
                f"an event needs {', '.join(missing)} (missing)", field=missing[0]
            )
        self.id = validate_event_id(self.id)
        self.title = validate_title(self.title)
        self.description = validate_description(self.description or "")
        self.venue = validate_venue(self.venue or "")
        self.capacity = validate_capacity(self.capacity)
        schedule = Schedule(self.starts_at, self.ends_at)
        self.starts_at, self.ends_at = schedule.starts_at, schedule.ends_at
        self.status = EventStatus(self.status or EventStatus.DRAFT).value
        return super().save()


class RegistrationRecord(Base):
    __tablename__ = "event_registrations"
    __table_args__ = (
        # Also the index behind the foreign key (event_id leads).
        UniqueConstraint(
            "event_id", "attendee_email", name="uq_event_registrations_event_id_attendee_email"
        ),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint(_one_of("status", REGISTRATION_STATUSES), name="status_known"),
        # The keyset of the registrations page: one event's, oldest first.
        Index("ix_event_registrations_event_id_registered_at", "event_id", "registered_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    attendee_email: Mapped[str] = mapped_column(String(254))
    seats: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    registered_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


class TicketProductRecord(Base, VersionMixin):
    __tablename__ = "event_ticket_products"

    code: Mapped[str] = mapped_column(String(MAX_PRODUCT_CODE_LENGTH), primary_key=True)
    # Decimal text as the catalog published it ("25.00", "1200"): shown, never computed on.
    price_amount: Mapped[str | None] = mapped_column(String(MAX_AMOUNT_LENGTH))
    price_currency: Mapped[str | None] = mapped_column(String(3))
    on_sale: Mapped[bool] = mapped_column(default=False)
    as_of: Mapped[datetime]
