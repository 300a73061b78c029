"""Inputs of the write use cases, in domain vocabulary (no HTTP types)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime


@dataclass(frozen=True)
class CreateEvent:
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    description: str = ""
    venue: str = ""
    # None: the service generates one (``ev_<hex>``).
    id: str | None = None
    # The catalog product sold as the ticket; None: registering is free.
    ticket_product_code: str | None = None


@dataclass(frozen=True)
class EventChanges:
    """A partial update: ``None`` leaves a field as it is.

    Giving only one end of the schedule keeps the other one.
    """

    title: str | None = None
    description: str | None = None
    venue: str | None = None
    capacity: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    @property
    def reschedules(self) -> bool:
        return self.starts_at is not None or self.ends_at is not None
