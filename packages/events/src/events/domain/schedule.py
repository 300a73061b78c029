"""When an event takes place: an aware start and a later end, kept in UTC.

Normalising to UTC here means every store (SQLite and MariaDB keep no
offset) hands back exactly what the domain accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shared_infrastructure.domain import DomainRuleViolation


def to_utc(value: datetime, field: str) -> datetime:
    """Reject naive datetimes: their meaning depends on the server's zone."""
    if not isinstance(value, datetime):
        raise DomainRuleViolation(f"{field} must be a datetime", field=field)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise DomainRuleViolation(
            f"{field} must include a timezone offset (e.g. 2025-07-01T20:00:00+02:00)",
            field=field,
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00+05:00 or 9999-12-31T23:59-05:00: the same
        # instant in UTC falls outside the years 1-9999 a datetime can hold.
        raise DomainRuleViolation(
            f"{field} is out of range: in UTC it must fall within the years 1 to 9999",
            field=field,
        ) from None


@dataclass(frozen=True)
class Schedule:
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        starts_at = to_utc(self.starts_at, "starts_at")
        ends_at = to_utc(self.ends_at, "ends_at")
        if ends_at <= starts_at:
            raise DomainRuleViolation("ends_at must be after starts_at", field="ends_at")
        object.__setattr__(self, "starts_at", starts_at)
        object.__setattr__(self, "ends_at", ends_at)

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at
