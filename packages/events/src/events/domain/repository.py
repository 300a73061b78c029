"""The repository port for events: the shared port plus one locking read."""

from __future__ import annotations

from abc import abstractmethod

from events.domain.event import Event
from shared_infrastructure.domain import NotFound, Repository


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
