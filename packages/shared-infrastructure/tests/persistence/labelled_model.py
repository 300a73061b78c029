"""An aggregate with a NULLABLE, orderable field, for the SQL adapter and the
in-memory fake side by side (test-only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.application.fakes import FakeUnitOfWork, InMemoryRepository
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.mixins import VersionMixin
from shared_infrastructure.domain import AggregateRoot
from shared_infrastructure.persistence import (
    AggregateMapper,
    SqlAlchemyRepository,
    SqlAlchemyUnitOfWork,
)


class Tag(AggregateRoot[str]):
    def __init__(self, id: str, label: str | None, rank: int = 0, version: int = 0) -> None:
        super().__init__()
        self.id = id
        self.label = label
        self.rank = rank
        self.version = version


class TagRecord(Base, VersionMixin):
    __tablename__ = "pers_tags"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(20), default=None)
    rank: Mapped[int] = mapped_column(Integer, default=0)


class TagMapper(AggregateMapper[Tag, TagRecord]):
    record_type = TagRecord

    def to_aggregate(self, record: TagRecord) -> Tag:
        return Tag(record.id, record.label, record.rank, record.version)

    def to_record(self, aggregate: Tag, record: TagRecord | None = None) -> TagRecord:
        record = record or TagRecord(id=aggregate.id)
        record.label = aggregate.label
        record.rank = aggregate.rank
        return record


class TagRepository(SqlAlchemyRepository[Tag, str]):
    entity_name = "Tag"
    mapper = TagMapper()
    queryable = {"label": TagRecord.label, "rank": TagRecord.rank}


class TagUnitOfWork(SqlAlchemyUnitOfWork):
    tags: TagRepository

    def _create_repositories(self) -> None:
        self.tags = TagRepository(self)


class FakeTagUnitOfWork(FakeUnitOfWork):
    """The in-memory twin of :class:`TagUnitOfWork`."""

    def __init__(self, storage: dict[Any, Tag]) -> None:
        super().__init__()
        self.tags: InMemoryRepository[Tag, str] = InMemoryRepository(
            self, storage, entity_name="Tag", queryable_fields=frozenset({"label", "rank"})
        )
