"""Named conflicts of this context, so callers can tell them apart.

All are ``Conflict`` (HTTP 409): the request is well formed but the event's
current state refuses it. Malformed input is ``DomainRuleViolation`` (422).
"""

from __future__ import annotations

from shared_infrastructure.domain import Conflict


class InvalidEventState(Conflict):
    """The event's status does not allow this change (e.g. editing a cancelled event)."""


class RegistrationClosed(Conflict):
    """Registration is only open while the event is published and has not started."""


class AlreadyRegistered(Conflict):
    """One registration per attendee email and event."""


class EventFull(Conflict):
    """The requested seats would exceed the event's capacity."""


class TicketNotOnSale(Conflict):
    """The event's ticket product is not on sale in the catalog (not yet
    active, discontinued, deleted, or not heard of yet)."""
