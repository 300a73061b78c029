"""In-memory adapters of this context's ports, for tests without a database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.application.listing import SORTABLE
from events.application.unit_of_work import EventsUnitOfWork
from events.domain import (
    Event,
    EventRepository,
    Registration,
    RegistrationRepository,
    TicketProduct,
    TicketProductRepository,
)
from shared_infrastructure.application.fakes import FakeUnitOfWork, InMemoryRepository
from shared_infrastructure.domain import Filter, Op, Page, QuerySpec

QUERYABLE = frozenset(SORTABLE | {"id", "venue"})
REGISTRATION_QUERYABLE = frozenset({"id", "event_id", "registered_at", "status"})


class _FreshAggregates:
    """The shared fake stores its copy before the unit of work pulls the
    events, so stored copies still carry them; a freshly loaded aggregate
    must start with none, as one rebuilt from a row does."""

    def _hand_out(self, stored: Any) -> Any:
        aggregate = super()._hand_out(stored)  # type: ignore[misc]
        aggregate.pull_events()
        return aggregate


class InMemoryEventRepository(_FreshAggregates, InMemoryRepository[Event, str], EventRepository):
    """Nothing to lock in memory: the fake's version check catches races."""

    async def get_for_update(self, identifier: str) -> Event | None:
        return await self.get(identifier)


class InMemoryRegistrationRepository(
    _FreshAggregates, InMemoryRepository[Registration, str], RegistrationRepository
):
    async def find_by_attendee(self, event_id: str, attendee_email: str) -> Registration | None:
        spec = QuerySpec(
            filters=(Filter("event_id", Op.EQ, event_id),), limit=None, with_total=False
        )
        page = await self.list(spec)
        return next((r for r in page.items if r.attendee_email == attendee_email), None)

    async def list_for_event(self, event_id: str, spec: QuerySpec) -> Page[Registration]:
        scoped = QuerySpec(
            filters=(Filter("event_id", Op.EQ, event_id), *spec.filters),
            order_by=spec.order_by,
            limit=spec.limit,
            after=spec.after,
            with_total=spec.with_total,
        )
        return await self.list(scoped)

    async def cancel_confirmed(self, event_id: str, now: datetime) -> int:
        spec = QuerySpec(
            filters=(Filter("event_id", Op.EQ, event_id), Filter("status", Op.EQ, "confirmed")),
            limit=None,
            with_total=False,
        )
        page = await self.list(spec)
        for registration in page.items:
            registration.mark_cancelled(now)
        return len(page.items)


class InMemoryTicketProductRepository(
    _FreshAggregates, InMemoryRepository[TicketProduct, str], TicketProductRepository
):
    pass


class FakeEventsUnitOfWork(FakeUnitOfWork, EventsUnitOfWork):
    """Pass the same dicts to every instance of one test: they play the
    database's tables (events, registrations, ticket products)."""

    def __init__(
        self,
        storage: dict[Any, Event],
        registrations: dict[Any, Registration] | None = None,
        ticket_products: dict[Any, TicketProduct] | None = None,
    ) -> None:
        super().__init__()
        self.events = InMemoryEventRepository(
            self, storage, entity_name="Event", queryable_fields=QUERYABLE
        )
        self.registrations = InMemoryRegistrationRepository(
            self,
            {} if registrations is None else registrations,
            entity_name="Registration",
            queryable_fields=REGISTRATION_QUERYABLE,
        )
        self.ticket_products = InMemoryTicketProductRepository(
            self, {} if ticket_products is None else ticket_products, entity_name="TicketProduct"
        )
