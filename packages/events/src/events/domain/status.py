"""Lifecycle states, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    """A registration is kept (not deleted) when its event is cancelled, so
    attendees can still be told and refunded."""

    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
