"""Identifiers: client-chosen slugs (``ev_001``) or generated ones.

Ids are strings rather than UUIDs because seed data and scripts name events
themselves; the slug rule keeps them safe in URLs and log lines.
"""

from __future__ import annotations

import re
import uuid

from shared_infrastructure.domain import DomainRuleViolation

MAX_ID_LENGTH = 64
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")


def is_event_id(value: object) -> bool:
    """Whether ``value`` could name an event; every stored event's id does.

    Lets a lookup answer "no such event" for text no event can have (a NUL,
    a space) without sending it to a database, which may refuse to bind it.
    """
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and bool(_SLUG.fullmatch(value))


def is_registration_id(value: object) -> bool:
    """Whether ``value`` could name a registration (same slug rule as events)."""
    return is_event_id(value)


def validate_event_id(value: str) -> str:
    if not is_event_id(value):
        raise DomainRuleViolation(
            f"event id must be 1-{MAX_ID_LENGTH} lowercase letters, digits, '_' or '-', "
            "starting with a letter or digit",
            field="id",
        )
    return value


def new_event_id() -> str:
    return f"ev_{uuid.uuid4().hex}"


def new_registration_id() -> str:
    return f"reg_{uuid.uuid4().hex}"
