"""Domain error bases; adapters map them to HTTP statuses (404/409/412/422)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error raised on purpose by domain or application code."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class NotFound(DomainError):
    def __init__(self, entity: str, identifier: object) -> None:
        super().__init__(f"{entity} '{identifier}' not found", entity=entity, id=identifier)
        self.entity = entity
        self.identifier = identifier


class Conflict(DomainError):
    """The request contradicts the current state (duplicate, wrong state...)."""

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message, field=field, **context)
        self.field = field


class ConcurrencyConflict(Conflict):
    """Someone else changed the aggregate since it was loaded (stale version)."""

    def __init__(
        self, entity: str, identifier: object, expected_version: int | None = None
    ) -> None:
        subject = entity if identifier is None else f"{entity} '{identifier}'"
        message = f"{subject} was changed by someone else"
        if expected_version is not None:
            message += f" (expected version {expected_version})"
        super().__init__(message, entity=entity, id=identifier, expected_version=expected_version)
        self.entity = entity
        self.identifier = identifier
        self.expected_version = expected_version


class DomainRuleViolation(DomainError):
    """Input or a requested change breaks a business rule."""

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message, field=field, **context)
        self.field = field


class VersionMismatch(ConcurrencyConflict):
    """The caller's expected version (e.g. HTTP ``If-Match``) is not current."""
