"""Repository adapters: aggregates in and out, records stay inside.

``_RepositoryCore`` holds everything that is not I/O (statements, the
hand-out bookkeeping); the async and sync classes are thin shells.
A context subclasses one of them and sets ``entity_name``, ``mapper`` and
``queryable`` (the allowlist of domain field names for query specs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, inspect, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.interfaces import ORMOption

from shared_infrastructure.domain.entity import AggregateRoot
from shared_infrastructure.domain.query import Page, QuerySpec
from shared_infrastructure.domain.repository import Repository, SyncRepository
from shared_infrastructure.persistence.locking import write_lock_preamble
from shared_infrastructure.persistence.mapper import AggregateMapper
from shared_infrastructure.persistence.spec import (
    SpecStatements,
    build_spec_statements,
    next_cursor,
)
from shared_infrastructure.persistence.tracking import Tracker

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    from shared_infrastructure.persistence.unit_of_work import (
        SqlAlchemyUnitOfWork,
        SyncSqlAlchemyUnitOfWork,
    )

A = TypeVar("A", bound=AggregateRoot[Any])
I = TypeVar("I")  # noqa: E741


_IDENTITIES: dict[type[Any], InstrumentedAttribute[Any]] = {}


def _identity_of(record_type: type[Any]) -> InstrumentedAttribute[Any]:
    """The primary key attribute, looked up once per record class (mapper
    inspection is not free; list requests asked for it on every call)."""
    attribute = _IDENTITIES.get(record_type)
    if attribute is None:
        key = inspect(record_type).primary_key[0].key
        attribute = _IDENTITIES[record_type] = getattr(record_type, key)
    return attribute


class _RepositoryCore(Generic[A]):
    entity_name: str = "Aggregate"
    mapper: ClassVar[AggregateMapper[Any, Any]]
    queryable: ClassVar[Mapping[str, InstrumentedAttribute[Any]]] = {}
    load_options: ClassVar[tuple[ORMOption, ...]] = ()

    _tracker: Tracker
    _track: Any

    @property
    def record_type(self) -> type[Any]:
        return self.mapper.record_type

    def _identity(self) -> InstrumentedAttribute[Any]:
        return _identity_of(self.record_type)

    def _select(self) -> Select[Any]:
        return select(self.record_type).options(*self.load_options)

    def _locking_select(self, identifier: Any) -> Select[Any]:
        return (
            self._select()
            .where(self._identity() == identifier)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    def _lock_preamble(self, dialect_name: str) -> Any:
        return write_lock_preamble(dialect_name, self.record_type.__table__)

    def _spec(self, spec: QuerySpec | None) -> SpecStatements:
        columns = {"id": self._identity(), **self.queryable}
        return build_spec_statements(self._select(), columns, self._identity(), spec or QuerySpec())

    def _hand_out(self, record: Any) -> A:
        aggregate = self._tracker.loaded(record, self.mapper, self.entity_name)
        self._track(aggregate)
        return aggregate  # type: ignore[return-value]

    def _stage_add(self, aggregate: A) -> Any:
        record = self._tracker.added(aggregate, self.mapper, self.entity_name)
        self._track(aggregate)
        return record

    def _page(
        self,
        statements: SpecStatements,
        records: list[Any],
        total: int | None,
        spec: QuerySpec | None,
    ) -> Page[A]:
        kept, cursor = next_cursor(statements, records)
        spec = spec or QuerySpec()
        return Page(
            [self._hand_out(record) for record in kept],
            total=total,
            limit=spec.limit,
            offset=spec.offset,
            next_cursor=cursor,
        )


class SqlAlchemyRepository(_RepositoryCore[A], Repository[A, I], Generic[A, I]):
    """Async repository adapter over the unit of work's session."""

    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self._uow = uow
        self._tracker = uow.tracker
        self._track = uow.track

    @property
    def session(self) -> AsyncSession:
        return self._uow.session

    async def add(self, aggregate: A) -> None:
        self._stage_add(aggregate)  # the unit of work adds it at commit

    async def get(self, identifier: I) -> A | None:
        record = await self.session.get(self.record_type, identifier, options=self.load_options)
        return None if record is None else self._hand_out(record)

    async def remove(self, aggregate: A) -> None:
        if self._tracker.find(aggregate) is None:  # not handed out here: load it
            aggregate = await self.get_or_raise(aggregate.id)
        self._tracker.removed(aggregate)

    async def list(self, spec: QuerySpec | None = None) -> Page[A]:
        statements = self._spec(spec)
        total = (
            await self.session.scalar(statements.count) if statements.count is not None else None
        )
        records = list((await self.session.scalars(statements.page)).all())
        return self._page(statements, records, total, spec)

    async def _find_one(self, *where: ColumnElement[bool]) -> A | None:
        record = (await self.session.scalars(self._select().where(*where).limit(1))).first()
        return None if record is None else self._hand_out(record)

    async def _get_for_update(self, identifier: I) -> A | None:
        """Load and lock: concurrent writers of this aggregate wait for us."""
        preamble = self._lock_preamble(self.session.get_bind().dialect.name)
        if preamble is not None:
            await self.session.execute(preamble)
        record = (await self.session.scalars(self._locking_select(identifier))).first()
        return None if record is None else self._hand_out(record)


class SyncSqlAlchemyRepository(_RepositoryCore[A], SyncRepository[A, I], Generic[A, I]):
    """Sync repository adapter (workers, scripts); same statements."""

    def __init__(self, uow: SyncSqlAlchemyUnitOfWork) -> None:
        self._uow = uow
        self._tracker = uow.tracker
        self._track = uow.track

    @property
    def session(self) -> Session:
        return self._uow.session

    def add(self, aggregate: A) -> None:
        self._stage_add(aggregate)  # the unit of work adds it at commit

    def get(self, identifier: I) -> A | None:
        record = self.session.get(self.record_type, identifier, options=self.load_options)
        return None if record is None else self._hand_out(record)

    def remove(self, aggregate: A) -> None:
        if self._tracker.find(aggregate) is None:  # not handed out here: load it
            aggregate = self.get_or_raise(aggregate.id)
        self._tracker.removed(aggregate)

    def list(self, spec: QuerySpec | None = None) -> Page[A]:
        statements = self._spec(spec)
        count = statements.count
        total = self.session.scalar(count) if count is not None else None
        records = list(self.session.scalars(statements.page).all())
        return self._page(statements, records, total, spec)

    def _find_one(self, *where: ColumnElement[bool]) -> A | None:
        record = self.session.scalars(self._select().where(*where).limit(1)).first()
        return None if record is None else self._hand_out(record)

    def _get_for_update(self, identifier: I) -> A | None:
        preamble = self._lock_preamble(self.session.get_bind().dialect.name)
        if preamble is not None:
            self.session.execute(preamble)
        record = self.session.scalars(self._locking_select(identifier)).first()
        return None if record is None else self._hand_out(record)
