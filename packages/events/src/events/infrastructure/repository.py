"""The SQLAlchemy adapters of the events context's repository ports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import update
from sqlalchemy.orm import InstrumentedAttribute

from events.domain import (
    Event,
    EventRepository,
    Registration,
    RegistrationRepository,
    RegistrationStatus,
    TicketProduct,
    TicketProductRepository,
)
from events.infrastructure.mapper import EventMapper, RegistrationMapper, TicketProductMapper
from events.infrastructure.records import EventRecord, RegistrationRecord
from shared_infrastructure.domain import Filter, Op, Page, QuerySpec
from shared_infrastructure.persistence import SqlAlchemyRepository


class SqlAlchemyEventRepository(SqlAlchemyRepository[Event, str], EventRepository):
    entity_name = "Event"
    mapper = EventMapper()
    # Domain field -> column: the only names a QuerySpec may use.
    queryable: ClassVar[dict[str, InstrumentedAttribute[Any]]] = {
        "title": EventRecord.title,
        "venue": EventRecord.venue,
        "status": EventRecord.status,
        "starts_at": EventRecord.starts_at,
        "ends_at": EventRecord.ends_at,
        "capacity": EventRecord.capacity,
    }

    async def get_for_update(self, identifier: str) -> Event | None:
        """Concurrent registrations queue on the lock of this one row instead
        of failing the version check (which still guards correctness if the
        lock is skipped)."""
        return await self._get_for_update(identifier)


class SqlAlchemyRegistrationRepository(
    SqlAlchemyRepository[Registration, str], RegistrationRepository
):
    entity_name = "Registration"
    mapper = RegistrationMapper()
    queryable: ClassVar[dict[str, InstrumentedAttribute[Any]]] = {
        "event_id": RegistrationRecord.event_id,
        "registered_at": RegistrationRecord.registered_at,
        "status": RegistrationRecord.status,
    }

    async def find_by_attendee(self, event_id: str, attendee_email: str) -> Registration | None:
        # The unique (event_id, attendee_email) index answers it.
        return await self._find_one(
            RegistrationRecord.event_id == event_id,
            RegistrationRecord.attendee_email == attendee_email,
        )

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
        result = await self.session.execute(
            update(RegistrationRecord)
            .where(
                RegistrationRecord.event_id == event_id,
                RegistrationRecord.status == RegistrationStatus.CONFIRMED.value,
            )
            .values(status=RegistrationStatus.CANCELLED.value, cancelled_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlAlchemyTicketProductRepository(
    SqlAlchemyRepository[TicketProduct, str], TicketProductRepository
):
    entity_name = "TicketProduct"
    mapper = TicketProductMapper()
