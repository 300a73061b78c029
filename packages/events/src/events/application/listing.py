"""The list query and its translation to a SQL-free ``QuerySpec``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.domain import EventStatus, RegistrationStatus
from events.domain.schedule import to_utc
from shared_infrastructure.domain import (
    DomainRuleViolation,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    QuerySpec,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Offsets reach the database as 64-bit integers; a bigger one made the driver
# overflow (a 500). Paging this deep by offset makes the database skip a
# million rows per request anyway: use the cursor (``after``) instead.
MAX_OFFSET = 1_000_000
# Fields a client may sort by; "-" prefix for descending.
SORTABLE = frozenset({"starts_at", "ends_at", "title", "capacity", "status"})


@dataclass(frozen=True)
class ListEvents:
    """``upcoming``: not started yet. ``starts_from`` inclusive, ``starts_before``
    exclusive, so consecutive ranges never overlap."""

    status: EventStatus | None = None
    upcoming: bool = False
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    order_by: str = "starts_at"
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    after: str | None = None

    def to_spec(self, now: datetime) -> QuerySpec:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise InvalidQuery(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidQuery(
                f"offset must be between 0 and {MAX_OFFSET}; page further with the cursor",
                field="offset",
            )
        ordering = Ordering.parse(self.order_by)
        if ordering.field not in SORTABLE:
            raise InvalidQuery(
                f"cannot sort by that key; use one of {sorted(SORTABLE)} "
                "(prefix '-' for descending)",
                field="order_by",
            )
        filters: list[Filter] = []
        if self.status is not None:
            filters.append(Filter("status", Op.EQ, EventStatus(self.status).value))
        if self.upcoming:
            filters.append(Filter("starts_at", Op.GT, to_utc(now, "now")))
        starts_from = _aware(self.starts_from, "starts_from")
        starts_before = _aware(self.starts_before, "starts_before")
        if starts_from is not None:
            filters.append(Filter("starts_at", Op.GE, starts_from))
        if starts_before is not None:
            filters.append(Filter("starts_at", Op.LT, starts_before))
        if starts_from is not None and starts_before is not None and starts_from >= starts_before:
            raise InvalidQuery("starts_from must be before starts_before", field="starts_from")
        return QuerySpec(
            filters=tuple(filters),
            order_by=(ordering,),
            limit=self.limit,
            offset=self.offset,
            after=self.after,
        )


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidQuery(f"{field} must include a timezone offset", field=field)
    try:
        return to_utc(value, field)
    except DomainRuleViolation as error:
        raise InvalidQuery(error.message, field=field) from None


REGISTRATION_SORTS = frozenset({"registered_at", "-registered_at"})


@dataclass(frozen=True)
class ListRegistrations:
    """One page of an event's registrations, by keyset only: an offset
    would make the database skip rows, and an event may hold a million."""

    limit: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    sort: str = "registered_at"
    status: RegistrationStatus | None = None

    def to_spec(self) -> QuerySpec:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise InvalidQuery(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
        if self.sort not in REGISTRATION_SORTS:
            raise InvalidQuery(
                f"cannot sort registrations by {self.sort!r}; use one of "
                f"{sorted(REGISTRATION_SORTS)}",
                field="sort",
            )
        filters: tuple[Filter, ...] = ()
        if self.status is not None:
            filters = (Filter("status", Op.EQ, RegistrationStatus(self.status).value),)
        return QuerySpec(
            filters=filters,
            order_by=(Ordering.parse(self.sort),),
            limit=self.limit,
            after=self.cursor,
            with_total=False,
        )
