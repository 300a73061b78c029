"""Text rules shared by the aggregate and the script-style model."""

from __future__ import annotations

import unicodedata

from shared_infrastructure.domain import DomainRuleViolation

MAX_TITLE_LENGTH = 200
MAX_VENUE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
MAX_CAPACITY = 1_000_000
# Line breaks and tabs are text; every other control character is not.
_LINE_BREAKS_AND_TABS = "\t\n\r"


def has_control_characters(text: str, *, allowed: str = "") -> bool:
    """Control characters and lone surrogates: no database stores them all
    (PostgreSQL rejects NUL, every driver rejects surrogates), and the ones
    that are stored (SQLite, MariaDB) come back invisible in a page or a mail."""
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in text)


def validate_title(value: str) -> str:
    title = value.strip() if isinstance(value, str) else ""
    if not title:
        raise DomainRuleViolation("title must not be empty", field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise DomainRuleViolation(
            f"title must be at most {MAX_TITLE_LENGTH} characters", field="title"
        )
    if has_control_characters(title):
        raise DomainRuleViolation("title must not contain control characters", field="title")
    return title


def validate_description(value: str) -> str:
    if not isinstance(value, str):
        raise DomainRuleViolation("description must be text", field="description")
    if len(value) > MAX_DESCRIPTION_LENGTH:
        raise DomainRuleViolation(
            f"description must be at most {MAX_DESCRIPTION_LENGTH} characters",
            field="description",
        )
    if has_control_characters(value, allowed=_LINE_BREAKS_AND_TABS):
        raise DomainRuleViolation(
            "description must not contain control characters other than line breaks and tabs",
            field="description",
        )
    return value


def validate_venue(value: str) -> str:
    """An empty venue means "to be announced"; drafts often lack one."""
    if not isinstance(value, str):
        raise DomainRuleViolation("venue must be text", field="venue")
    venue = value.strip()
    if len(venue) > MAX_VENUE_LENGTH:
        raise DomainRuleViolation(
            f"venue must be at most {MAX_VENUE_LENGTH} characters", field="venue"
        )
    if has_control_characters(venue):
        raise DomainRuleViolation("venue must not contain control characters", field="venue")
    return venue


def validate_capacity(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CAPACITY:
        raise DomainRuleViolation(
            f"capacity must be a whole number between 1 and {MAX_CAPACITY}",
            field="capacity",
        )
    return value
