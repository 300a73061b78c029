"""Aggregates persisted through SQLAlchemy: mappers, repositories, units of work.

The domain stays plain Python; a context's infrastructure supplies an
:class:`AggregateMapper` (aggregate <-> record on the shared ``Base``) and a
thin repository subclass. The unit of work tracks every aggregate handed
out, writes changes back on commit, enforces the version column and hands
out domain events only after a successful commit.
"""

from shared_infrastructure.persistence.mapper import AggregateMapper
from shared_infrastructure.persistence.repository import (
    SqlAlchemyRepository,
    SyncSqlAlchemyRepository,
)
from shared_infrastructure.persistence.unit_of_work import (
    SqlAlchemyUnitOfWork,
    SyncSqlAlchemyUnitOfWork,
)

__all__ = [
    "AggregateMapper",
    "SqlAlchemyRepository",
    "SqlAlchemyUnitOfWork",
    "SyncSqlAlchemyRepository",
    "SyncSqlAlchemyUnitOfWork",
]
