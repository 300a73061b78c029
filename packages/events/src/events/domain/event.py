"""The ``Event`` aggregate: schedule, capacity, status and the seat count.

"Seats taken never exceed capacity" is checked against two counters kept on
the event (``seats_taken``, ``registration_count``), not against a list of
registrations: registering costs the same for the first attendee and the
millionth. Every registration goes through :meth:`Event.register`, which
updates the counters, and the adapters make concurrent writers of one event
serialize (row lock, version column), so the check stays true under
contention. Registrations themselves are aggregates of their own.
"""

from __future__ import annotations

from datetime import datetime

from events.domain.details import (
    validate_capacity,
    validate_description,
    validate_title,
    validate_venue,
)
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
from events.domain.identifiers import new_event_id, new_registration_id, validate_event_id
from events.domain.registration import Registration, normalize_email, validate_seats
from events.domain.schedule import Schedule, to_utc
from events.domain.status import EventStatus
from events.domain.ticket import TicketProduct, validate_ticket_product_code
from shared_infrastructure.domain import AggregateRoot, DomainRuleViolation, NotFound


class Event(AggregateRoot[str]):
    """Build new events with :meth:`create`; ``__init__`` rebuilds stored ones."""

    def __init__(
        self,
        *,
        id: str,
        title: str,
        description: str = "",
        venue: str = "",
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        status: EventStatus = EventStatus.DRAFT,
        seats_taken: int = 0,
        registration_count: int = 0,
        ticket_product_code: str | None = None,
        version: int = 0,
    ) -> None:
        super().__init__()
        self.id = validate_event_id(id)
        self.version = version
        self._title = validate_title(title)
        self._description = validate_description(description)
        self._venue = validate_venue(venue)
        self._schedule = Schedule(starts_at, ends_at)
        self._capacity = validate_capacity(capacity)
        self._status = EventStatus(status)
        self._ticket_product_code = (
            None
            if ticket_product_code is None
            else validate_ticket_product_code(ticket_product_code)
        )
        self._seats_taken = seats_taken
        self._registration_count = registration_count
        if not 0 <= registration_count <= seats_taken:
            raise DomainRuleViolation(
                f"event {self.id!r} counts {registration_count} registrations for "
                f"{seats_taken} seats",
                field="seats_taken",
            )
        if self.seats_taken > self._capacity:
            raise DomainRuleViolation(
                f"event {self.id!r} holds {self.seats_taken} seats but has capacity "
                f"{self._capacity}",
                field="capacity",
            )

    @classmethod
    def create(
        cls,
        *,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        now: datetime,
        id: str | None = None,
        description: str = "",
        venue: str = "",
        ticket_product_code: str | None = None,
    ) -> Event:
        """A new draft; it must start in the future. With a
        ``ticket_product_code``, registering needs that catalog product on sale."""
        event = cls(
            id=new_event_id() if id is None else id,
            title=title,
            description=description,
            venue=venue,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            ticket_product_code=ticket_product_code,
        )
        if event._schedule.has_started(to_utc(now, "now")):
            raise DomainRuleViolation("starts_at must be in the future", field="starts_at")
        event.record_event(
            EventCreated(
                aggregate_id=event.id,
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                capacity=event.capacity,
            )
        )
        return event

    # -- read side ----------------------------------------------------------
    @property
    def title(self) -> str:
        return self._title

    @property
    def description(self) -> str:
        return self._description

    @property
    def venue(self) -> str:
        return self._venue

    @property
    def schedule(self) -> Schedule:
        return self._schedule

    @property
    def starts_at(self) -> datetime:
        return self._schedule.starts_at

    @property
    def ends_at(self) -> datetime:
        return self._schedule.ends_at

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def status(self) -> EventStatus:
        return self._status

    @property
    def ticket_product_code(self) -> str | None:
        """The catalog product sold as this event's ticket, if any."""
        return self._ticket_product_code

    @property
    def seats_taken(self) -> int:
        """Seats of the confirmed registrations."""
        return self._seats_taken

    @property
    def registration_count(self) -> int:
        """Confirmed registrations."""
        return self._registration_count

    @property
    def seats_available(self) -> int:
        return max(self._capacity - self.seats_taken, 0)

    # -- changes ------------------------------------------------------------
    def update_details(
        self,
        *,
        title: str | None = None,
        description: str | None = None,
        venue: str | None = None,
    ) -> None:
        """Change the texts; a no-op (and no domain event) if nothing differs."""
        self._ensure_not_cancelled("update")
        new = {
            "title": self._title if title is None else validate_title(title),
            "description": (
                self._description if description is None else validate_description(description)
            ),
            "venue": self._venue if venue is None else validate_venue(venue),
        }
        changed = tuple(name for name, value in new.items() if getattr(self, name) != value)
        if not changed:
            return
        self._title, self._description, self._venue = new["title"], new["description"], new["venue"]
        self.record_event(EventDetailsUpdated(aggregate_id=self.id, changed_fields=changed))

    def change_capacity(self, capacity: int) -> None:
        self._ensure_not_cancelled("change the capacity of")
        capacity = validate_capacity(capacity)
        if capacity == self._capacity:
            return
        if capacity < self.seats_taken:
            raise EventFull(
                f"capacity {capacity} is below the {self.seats_taken} seats already taken",
                field="capacity",
                seats_taken=self.seats_taken,
            )
        old, self._capacity = self._capacity, capacity
        self.record_event(
            EventCapacityChanged(aggregate_id=self.id, old_capacity=old, new_capacity=capacity)
        )

    def reschedule(self, starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
        """Move an event that has not started yet to a future slot."""
        self._ensure_not_cancelled("reschedule")
        now = to_utc(now, "now")
        if self._schedule.has_started(now):
            raise InvalidEventState(
                f"event {self.id!r} has already started and cannot be rescheduled",
                field="starts_at",
            )
        new = Schedule(starts_at, ends_at)
        if new == self._schedule:
            return
        if new.has_started(now):
            raise DomainRuleViolation("starts_at must be in the future", field="starts_at")
        old, self._schedule = self._schedule, new
        self.record_event(
            EventRescheduled(
                aggregate_id=self.id,
                old_starts_at=old.starts_at,
                old_ends_at=old.ends_at,
                starts_at=new.starts_at,
                ends_at=new.ends_at,
            )
        )

    def publish(self, *, now: datetime) -> None:
        if self._status is not EventStatus.DRAFT:
            raise InvalidEventState(
                f"only a draft can be published; event {self.id!r} is {self._status.value}",
                field="status",
            )
        if self._schedule.has_started(to_utc(now, "now")):
            raise InvalidEventState(
                f"event {self.id!r} has already started and cannot be published",
                field="status",
            )
        self._status = EventStatus.PUBLISHED
        self.record_event(EventPublished(aggregate_id=self.id))

    def cancel(self, *, now: datetime) -> None:
        """Cancel the event and release every seat. The confirmed
        registrations are cancelled with it, in the same transaction, by the
        use case (one statement, however many there are); ``EventCancelled``
        says how many."""
        self._ensure_not_cancelled("cancel")
        now = to_utc(now, "now")
        if self._schedule.has_ended(now):
            raise InvalidEventState(
                f"event {self.id!r} is over and cannot be cancelled", field="status"
            )
        cancelled = self._registration_count
        self._status = EventStatus.CANCELLED
        self._seats_taken = 0
        self._registration_count = 0
        self.record_event(EventCancelled(aggregate_id=self.id, cancelled_registrations=cancelled))

    def register(
        self,
        attendee_email: str,
        seats: int = 1,
        *,
        now: datetime,
        already_registered: bool = False,
        ticket: TicketProduct | None = None,
        registration_id: str | None = None,
    ) -> Registration:
        """Hold ``seats`` for one attendee, never beyond capacity.

        The caller tells whether ``attendee_email`` already holds a
        registration for this event, and, for an event sold with a ticket
        product, passes what it knows of that product (``None``: nothing).
        """
        email = normalize_email(attendee_email)
        seats = validate_seats(seats)
        now = to_utc(now, "now")
        if self._status is not EventStatus.PUBLISHED:
            raise RegistrationClosed(
                f"event {self.id!r} is {self._status.value}; registration needs a published event",
                field="status",
            )
        if self._schedule.has_started(now):
            raise RegistrationClosed(
                f"event {self.id!r} has already started; registration is closed",
                field="starts_at",
            )
        if self._ticket_product_code is not None and (
            ticket is None or ticket.code != self._ticket_product_code or not ticket.on_sale
        ):
            raise TicketNotOnSale(
                f"tickets for event {self.id!r} are not on sale: catalog product "
                f"{self._ticket_product_code!r} is not available",
                field="ticket_product_code",
            )
        if already_registered:
            raise AlreadyRegistered(
                f"{email} is already registered for event {self.id!r}", field="attendee_email"
            )
        if seats > self.seats_available:
            raise EventFull(
                f"event {self.id!r} has {self.seats_available} seat(s) left, {seats} requested",
                field="seats",
                seats_available=self.seats_available,
            )
        registration = Registration(
            id=new_registration_id() if registration_id is None else registration_id,
            event_id=self.id,
            attendee_email=email,
            seats=seats,
            registered_at=now,
        )
        self._seats_taken += seats
        self._registration_count += 1
        self.record_event(
            AttendeeRegistered(
                aggregate_id=self.id,
                registration_id=registration.id,
                attendee_email=email,
                seats=seats,
            )
        )
        return registration

    def cancel_registration(self, registration: Registration, *, now: datetime) -> None:
        """An attendee backs out: the caller removes the registration, and its
        seats are free again."""
        if registration.event_id != self.id:
            raise NotFound("Registration", registration.id)
        if self._status is EventStatus.CANCELLED:
            raise InvalidEventState(
                f"event {self.id!r} is cancelled; its registrations are already cancelled",
                field="status",
            )
        if self._schedule.has_started(to_utc(now, "now")):
            raise RegistrationClosed(
                f"event {self.id!r} has already started; registrations can no longer change",
                field="starts_at",
            )
        if not registration.is_confirmed:
            raise InvalidEventState(
                f"registration {registration.id!r} is already cancelled", field="status"
            )
        self._seats_taken -= registration.seats
        self._registration_count -= 1
        self.record_event(
            RegistrationCancelled(
                aggregate_id=self.id,
                registration_id=registration.id,
                attendee_email=registration.attendee_email,
                seats=registration.seats,
            )
        )

    # -- helpers ------------------------------------------------------------
    def _ensure_not_cancelled(self, action: str) -> None:
        if self._status is EventStatus.CANCELLED:
            raise InvalidEventState(
                f"cannot {action} event {self.id!r}: it is cancelled", field="status"
            )
