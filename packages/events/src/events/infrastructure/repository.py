"""The SQLAlchemy adapter of ``EventRepository``."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import InstrumentedAttribute, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from events.domain import Event, EventRepository
from events.infrastructure.mapper import EventMapper
from events.infrastructure.records import EventRecord
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
    # Registrations belong to the aggregate: always load them, in one query.
    load_options: ClassVar[tuple[ORMOption, ...]] = (selectinload(EventRecord.registrations),)

    async def get_for_update(self, identifier: str) -> Event | None:
        """Concurrent registrations queue on the lock instead of failing the
        version check (which still guards correctness if the lock is skipped)."""
        return await self._get_for_update(identifier)
