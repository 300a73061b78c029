"""A registration: seats held by one attendee for one event.

An aggregate of its own, so an event with a million registrations is not
loaded whole to add one. The ``Event`` still guards the capacity: only
``Event.register`` creates a registration, and it counts the seats on the
event (``seats_taken``), which concurrent registrations update one at a time.
"""

from __future__ import annotations

import re
from datetime import datetime

from events.domain.details import has_control_characters
from events.domain.schedule import to_utc
from events.domain.status import RegistrationStatus
from shared_infrastructure.domain import AggregateRoot, DomainRuleViolation

MAX_EMAIL_LENGTH = 254
# Deliberately loose: a confirmation mail is the real test of an address.
# Control characters (NUL...) are refused apart: no address holds one.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalize_email(value: str) -> str:
    """Lower-cased so ``Ann@x.org`` and ``ann@x.org`` count as one attendee."""
    email = value.strip().lower() if isinstance(value, str) else ""
    if (
        not _EMAIL.fullmatch(email)
        or len(email) > MAX_EMAIL_LENGTH
        or has_control_characters(email)
    ):
        raise DomainRuleViolation(
            "attendee_email must be a valid email address",
            field="attendee_email",
        )
    return email


def validate_seats(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DomainRuleViolation("seats must be a positive whole number", field="seats")
    return value


class Registration(AggregateRoot[str]):
    def __init__(
        self,
        *,
        id: str,
        event_id: str,
        attendee_email: str,
        seats: int,
        registered_at: datetime,
        status: RegistrationStatus = RegistrationStatus.CONFIRMED,
        cancelled_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.id = id
        self.version = 0
        self._event_id = event_id
        self._attendee_email = normalize_email(attendee_email)
        self._seats = validate_seats(seats)
        self._registered_at = to_utc(registered_at, "registered_at")
        self._status = RegistrationStatus(status)
        self._cancelled_at = None if cancelled_at is None else to_utc(cancelled_at, "cancelled_at")

    @property
    def event_id(self) -> str:
        return self._event_id

    @property
    def attendee_email(self) -> str:
        return self._attendee_email

    @property
    def seats(self) -> int:
        return self._seats

    @property
    def registered_at(self) -> datetime:
        return self._registered_at

    @property
    def status(self) -> RegistrationStatus:
        return self._status

    @property
    def cancelled_at(self) -> datetime | None:
        return self._cancelled_at

    @property
    def is_confirmed(self) -> bool:
        return self._status is RegistrationStatus.CONFIRMED

    def mark_cancelled(self, now: datetime) -> None:
        """Its event was cancelled (``Event.cancel`` released the seats); the
        registration is kept so attendees can be told and refunded."""
        self._status = RegistrationStatus.CANCELLED
        self._cancelled_at = now
