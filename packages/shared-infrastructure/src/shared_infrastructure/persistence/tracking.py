"""What a unit of work remembers about the aggregates it handed out.

No I/O here: sync and async units of work share this bookkeeping and only
differ in how they flush and commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from shared_infrastructure.application.change_tracking import fingerprint
from shared_infrastructure.database.mixins import SoftDeleteMixin
from shared_infrastructure.domain.entity import AggregateRoot
from shared_infrastructure.persistence.mapper import AggregateMapper


@dataclass
class Tracked:
    aggregate: AggregateRoot[Any]
    record: Any
    mapper: AggregateMapper[Any, Any]
    entity_name: str
    snapshot: Any = None
    new: bool = False
    removed: bool = False
    written: bool = False  # by the last write_back: inserted, updated or deleted


@dataclass
class Tracker:
    by_aggregate: dict[int, Tracked] = field(default_factory=dict)
    by_record: dict[int, Tracked] = field(default_factory=dict)

    def aggregate_for(self, record: Any) -> AggregateRoot[Any] | None:
        tracked = self.by_record.get(id(record))
        return tracked.aggregate if tracked else None

    def find(self, aggregate: AggregateRoot[Any]) -> Tracked | None:
        return self.by_aggregate.get(id(aggregate))

    def loaded(
        self, record: Any, mapper: AggregateMapper[Any, Any], entity_name: str
    ) -> AggregateRoot[Any]:
        """The aggregate for a loaded record; the same object on every call."""
        existing = self.aggregate_for(record)
        if existing is not None:
            return existing
        aggregate: AggregateRoot[Any] = mapper.to_aggregate(record)
        self._remember(Tracked(aggregate, record, mapper, entity_name, fingerprint(aggregate)))
        return aggregate

    def added(
        self, aggregate: AggregateRoot[Any], mapper: AggregateMapper[Any, Any], entity_name: str
    ) -> Any:
        record = mapper.to_record(aggregate, None)
        self._remember(Tracked(aggregate, record, mapper, entity_name, new=True))
        return record

    def removed(self, aggregate: AggregateRoot[Any]) -> Tracked | None:
        tracked = self.find(aggregate)
        if tracked is not None:
            tracked.removed = True
        return tracked

    def _remember(self, tracked: Tracked) -> None:
        self.by_aggregate[id(tracked.aggregate)] = tracked
        self.by_record[id(tracked.record)] = tracked

    def write_back(self, session: Session) -> None:
        """Copy aggregate state onto records, add new ones to ``session``
        and bump versions of changed ones.

        New records reach the session only here, at commit: a unit of work
        that joined a scope never leaves staged rows behind for the scope's
        owner to flush.

        Bumping explicitly (rather than relying on SQLAlchemy noticing a
        changed column) makes a change to child rows only, such as a new
        registration, still update - and therefore version-check - the root.
        """
        for tracked in self.by_aggregate.values():
            record = tracked.record
            tracked.written = True
            if tracked.removed:
                if tracked.new:  # staged, never added: nothing to write
                    tracked.written = False
                elif isinstance(record, SoftDeleteMixin):
                    record.soft_delete()
                    _bump(record, tracked.aggregate)
                else:
                    session.delete(record)
            elif tracked.new:
                tracked.mapper.to_record(tracked.aggregate, record)
                session.add(record)
                if _has_version(record):
                    record.version = 1
            elif fingerprint(tracked.aggregate) != tracked.snapshot:
                tracked.mapper.to_record(tracked.aggregate, record)
                _bump(record, tracked.aggregate)
            else:
                tracked.written = False

    def written(self) -> list[Tracked]:
        """The aggregates the last ``write_back`` wrote."""
        return [tracked for tracked in self.by_aggregate.values() if tracked.written]

    def committed(self) -> None:
        """After a successful commit: versions to aggregates, fresh snapshots."""
        for tracked in list(self.by_aggregate.values()):
            if tracked.removed:
                self.by_aggregate.pop(id(tracked.aggregate), None)
                self.by_record.pop(id(tracked.record), None)
                continue
            if _has_version(tracked.record):
                tracked.aggregate.version = tracked.record.version
            tracked.new = False
            tracked.written = False
            tracked.snapshot = fingerprint(tracked.aggregate)

    def clear(self) -> None:
        self.by_aggregate.clear()
        self.by_record.clear()


def _has_version(record: Any) -> bool:
    return "version" in inspect(type(record)).column_attrs


def _bump(record: Any, aggregate: AggregateRoot[Any]) -> None:
    if _has_version(record):
        record.version = aggregate.version + 1
