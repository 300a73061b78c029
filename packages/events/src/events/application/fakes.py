"""In-memory adapters of this context's ports, for tests without a database."""

from __future__ import annotations

from typing import Any

from events.application.listing import SORTABLE
from events.application.unit_of_work import EventsUnitOfWork
from events.domain import Event, EventRepository
from shared_infrastructure.application.fakes import FakeUnitOfWork, InMemoryRepository

QUERYABLE = frozenset(SORTABLE | {"id", "venue"})


class InMemoryEventRepository(InMemoryRepository[Event, str], EventRepository):
    """Nothing to lock in memory: the fake's version check catches races."""

    async def get_for_update(self, identifier: str) -> Event | None:
        return await self.get(identifier)

    def _hand_out(self, stored: Event) -> Event:
        # The shared fake stores its copy before the unit of work pulls the
        # events, so stored copies still carry them; a freshly loaded
        # aggregate must start with none, as one rebuilt from a row does.
        aggregate = super()._hand_out(stored)
        aggregate.pull_events()
        return aggregate


class FakeEventsUnitOfWork(FakeUnitOfWork, EventsUnitOfWork):
    """Pass the same ``storage`` dict to every instance of one test."""

    def __init__(self, storage: dict[Any, Event]) -> None:
        super().__init__()
        self.events = InMemoryEventRepository(
            self, storage, entity_name="Event", queryable_fields=QUERYABLE
        )
