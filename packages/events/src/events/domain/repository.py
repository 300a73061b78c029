"""Repository ports of the events context."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime

from events.domain.event import Event
from events.domain.registration import Registration
from events.domain.ticket import TicketProduct
from shared_infrastructure.domain import NotFound, Page, QuerySpec, Repository


class EventRepository(Repository[Event, str]):
    entity_name = "Event"

    @abstractmethod
    async def get_for_update(self, identifier: str) -> Event | None:
        """Load the event and hold off other writers of it until commit.

        Registrations use it so concurrent requests queue instead of all
        failing the version check; the version check remains the guarantee.
        """

    async def get_for_update_or_raise(self, identifier: str) -> Event:
        event = await self.get_for_update(identifier)
        if event is None:
            raise NotFound(self.entity_name, identifier)
        return event


class RegistrationRepository(Repository[Registration, str]):
    """Registrations, one row each; never all of an event's at once."""

    entity_name = "Registration"

    @abstractmethod
    async def find_by_attendee(self, event_id: str, attendee_email: str) -> Registration | None:
        """The registration ``attendee_email`` holds for the event, if any
        (the email as normalized by the domain)."""

    @abstractmethod
    async def list_for_event(self, event_id: str, spec: QuerySpec) -> Page[Registration]:
        """One page of the event's registrations (filters of ``spec`` AND-ed)."""

    @abstractmethod
    async def cancel_confirmed(self, event_id: str, now: datetime) -> int:
        """Mark every confirmed registration of the event cancelled at
        ``now``, in the unit of work's transaction; returns how many."""


class TicketProductRepository(Repository[TicketProduct, str]):
    """The events context's copy of catalog products, by product code."""

    entity_name = "TicketProduct"
