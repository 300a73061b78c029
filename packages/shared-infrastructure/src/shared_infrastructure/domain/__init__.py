"""Pure building blocks for domain layers: no SQLAlchemy, no web framework.

Contexts' ``domain`` packages may import from here and from nothing else
outside the standard library (enforced by ``importlinter.ini``).
"""

from shared_infrastructure.domain.entity import AggregateRoot, Entity
from shared_infrastructure.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainError,
    DomainRuleViolation,
    NotFound,
    VersionMismatch,
)
from shared_infrastructure.domain.events import DomainEvent
from shared_infrastructure.domain.query import (
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    Page,
    QuerySpec,
)
from shared_infrastructure.domain.repository import Repository, SyncRepository

__all__ = [
    "AggregateRoot",
    "ConcurrencyConflict",
    "Conflict",
    "DomainError",
    "DomainEvent",
    "DomainRuleViolation",
    "Entity",
    "Filter",
    "InvalidQuery",
    "NotFound",
    "Op",
    "Ordering",
    "Page",
    "QuerySpec",
    "Repository",
    "SyncRepository",
    "VersionMismatch",
]
