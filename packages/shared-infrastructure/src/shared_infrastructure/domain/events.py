"""Domain events: immutable facts an aggregate records about itself."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event.

    Subclasses are ``@dataclass(frozen=True, kw_only=True)`` too, so the
    timestamp and id defaults here never clash with their required fields.
    """

    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=_utcnow)

    @property
    def event_type(self) -> str:
        """The class name (not ``name``: subclasses often have a ``name`` field)."""
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        """Plain data, e.g. for an outbox or an integration-event payload."""
        return {"event_type": self.event_type, **asdict(self)}
