"""The generic repository on a SQLAlchemy ``AsyncSession``.

Every method validates and builds through :class:`RepositoryBase` and only
executes here. Only the async module is written by hand: ``sync.py`` is
generated from ``async_.py`` (without ``await``, on the sync session) when
the package is built or installed; see
``packages/shared-infrastructure/codegen/unasync.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession

from shared_infrastructure.database.repository import statements as st
from shared_infrastructure.database.repository.base import (
    ModelT,
    PagePlan,
    RepositoryBase,
)
from shared_infrastructure.domain.query import Page, QuerySpec


class AsyncBaseRepository(RepositoryBase[ModelT, AsyncSession]):
    """Generic CRUD on one mapped class over ``AsyncSession``.

    ``AsyncBaseRepository(User, session)``; subclass as
    ``class UserRepository(AsyncBaseRepository[User])``. Methods and
    semantics are documented in the package docstring.
    """

    # -- create ------------------------------------------------------------

    async def create(self, **values: Any) -> ModelT:
        """Add one row; flushed, generated values (id, defaults) loaded."""
        instance = self._new_instance(values)
        session = self.session
        with self._guard("create", attributes=values):
            session.add(instance)
            await session.flush()
            expired = self._expired(instance)
            if expired:
                await session.refresh(instance, attribute_names=expired)
        return instance

    async def create_many(self, rows: Iterable[Mapping[str, Any]]) -> list[ModelT]:
        """Insert rows in batched ``INSERT ... RETURNING`` statements (arrays
        through ``unnest`` on PostgreSQL); the instances come back in the
        order of ``rows``, with their ids, persistent in the session."""
        listed = self._rows(rows)
        if not listed:
            return []
        batches = self._unnest(listed, returning=True)
        plan = None if batches else self._insert_plan(listed)
        with self._guard("create_many", rows=len(listed), fields=sorted(listed[0])):
            if batches:  # PostgreSQL: one INSERT ... SELECT FROM unnest per batch
                created: list[ModelT] = []
                for batch in batches:
                    part = list(await self.session.scalars(batch.statement))
                    created += self._unnested(batch, part)
                return created
            if plan is None:  # no batched RETURNING on this dialect: unit of work
                instances = [self.model(**row) for row in listed]
                self.session.add_all(instances)
                await self.session.flush()
                return instances
            created = list(await self.session.scalars(plan.statement, listed))
        return self._reorder(plan, listed, created)

    async def insert_many(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Bulk insert that hands nothing back (executemany/insertmanyvalues,
        ``unnest`` arrays on PostgreSQL); returns the number of rows sent."""
        listed = self._rows(rows)
        if not listed:
            return 0
        batches = self._unnest(listed, returning=False)
        with self._guard("insert_many", rows=len(listed), fields=sorted(listed[0])):
            if batches:
                for batch in batches:
                    await self.session.execute(batch.statement)
            else:
                await self.session.execute(self._insert_plain(), listed)
        return len(listed)

    async def upsert(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        conflict_on: Sequence[str] | str | None = None,
        update: Sequence[str] | None = None,
        **fields: Any,
    ) -> ModelT:
        """Insert or update one row (native upsert); returns the stored row."""
        row = {**(values or {}), **fields}
        stored = await self.upsert_many([row], conflict_on=conflict_on, update=update)
        return stored[0]

    async def upsert_many(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        conflict_on: Sequence[str] | str | None = None,
        update: Sequence[str] | None = None,
    ) -> list[ModelT]:
        """``ON CONFLICT DO UPDATE`` / ``ON DUPLICATE KEY UPDATE`` in batches."""
        plan = self._upsert(rows, conflict_on, update)
        if not plan.rows:
            return []
        with self._guard("upsert", rows=len(plan.rows), conflict_on=plan.conflict_on):
            stored = list(
                await self.session.scalars(
                    plan.statement, plan.rows, execution_options=plan.options
                )
            )
        return self._upserted(plan, stored)

    # -- read --------------------------------------------------------------

    async def get(self, id: Any, *, include_deleted: bool = False) -> ModelT | None:
        """By primary key (a tuple or dict for composite keys); identity map first."""
        with self._guard("get", id=id):
            if include_deleted or self._bypass_hook:
                instance = await self.session.get(
                    self.model, id, execution_options=st.INCLUDE_DELETED
                )
            else:
                instance = await self.session.get(self.model, id)
        if instance is not None and self._hidden(instance, include_deleted):
            return None
        return instance

    async def get_or_raise(self, id: Any, *, include_deleted: bool = False) -> ModelT:
        instance = await self.get(id, include_deleted=include_deleted)
        if instance is None:
            raise self._not_found(id)
        return instance

    async def get_by(
        self, *conditions: st.ConditionArg, include_deleted: bool = False, **lookups: Any
    ) -> ModelT | None:
        """The first row matching the filters (unordered), or ``None``."""
        statement = self._first(conditions, lookups, include_deleted)
        with self._guard("get_by", filters=lookups):
            result = await self.session.scalars(
                statement, execution_options=self._options(include_deleted)
            )
            return result.first()

    async def get_by_or_raise(
        self, *conditions: st.ConditionArg, include_deleted: bool = False, **lookups: Any
    ) -> ModelT:
        instance = await self.get_by(*conditions, include_deleted=include_deleted, **lookups)
        if instance is None:
            raise self._not_found(lookups or list(conditions))
        return instance

    async def get_all(
        self,
        skip: int = 0,
        limit: int | None = None,
        *,
        order_by: st.OrderBy = None,
        include_deleted: bool = False,
    ) -> list[ModelT]:
        return await self.filter(
            skip=skip, limit=limit, order_by=order_by, include_deleted=include_deleted
        )

    async def filter(
        self,
        *conditions: st.ConditionArg,
        skip: int = 0,
        limit: int | None = None,
        order_by: st.OrderBy = None,
        include_deleted: bool = False,
        **lookups: Any,
    ) -> list[ModelT]:
        """Rows matching ``field__lookup=value`` filters (and/or ``Filter``
        objects or SQLAlchemy expressions); paged rows are ordered by
        ``order_by`` or the primary key."""
        statement = self._select(
            conditions,
            lookups,
            include_deleted=include_deleted,
            skip=skip,
            limit=limit,
            order_by=order_by,
        )
        with self._guard("filter", filters=lookups):
            return list(
                await self.session.scalars(
                    statement, execution_options=self._options(include_deleted)
                )
            )

    async def count(
        self, *conditions: st.ConditionArg, include_deleted: bool = False, **lookups: Any
    ) -> int:
        statement = self._count(conditions, lookups, include_deleted)
        with self._guard("count", filters=lookups):
            result = await self.session.scalar(
                statement, execution_options=self._options(include_deleted)
            )
        return int(result or 0)

    async def exists(
        self, *conditions: st.ConditionArg, include_deleted: bool = False, **lookups: Any
    ) -> bool:
        statement = self._exists(conditions, lookups, include_deleted)
        with self._guard("exists", filters=lookups):
            found = await self.session.scalar(
                statement, execution_options=self._options(include_deleted)
            )
        return found is not None

    async def paginate(
        self,
        *conditions: st.ConditionArg,
        after: str | None = None,
        limit: int = 50,
        order_by: st.OrderBy = None,
        include_deleted: bool = False,
        with_total: bool = False,
        **lookups: Any,
    ) -> Page[ModelT]:
        """Keyset pagination: pass the previous page's ``next_cursor`` as ``after``."""
        plan = self._keyset(
            conditions,
            lookups,
            after=after,
            limit=limit,
            order_by=order_by,
            include_deleted=include_deleted,
            with_total=with_total,
        )
        return await self._run_page(plan)

    async def find(self, spec: QuerySpec, *, include_deleted: bool = False) -> Page[ModelT]:
        """A domain ``QuerySpec`` (filters, ordering, offset or cursor, total)."""
        return await self._run_page(self._spec(spec, include_deleted))

    async def _run_page(self, plan: PagePlan) -> Page[ModelT]:
        with self._guard("paginate"):
            rows = list(await self.session.scalars(plan.statement, execution_options=plan.options))
            total = None
            if plan.count is not None:
                total = int(
                    await self.session.scalar(plan.count, execution_options=plan.options) or 0
                )
        return cast(Page[ModelT], plan.page(rows, total))

    # -- update ------------------------------------------------------------

    async def update(self, id: Any, **values: Any) -> ModelT | None:
        """Set attributes on the row with this key and flush; ``None`` if absent."""
        self._check_settable(values)
        instance = await self.get(id)
        if instance is None:
            return None
        with self._guard("update", id=id, attributes=values):
            for name, value in values.items():
                setattr(instance, name, value)
            await self.session.flush()
            expired = self._expired(instance)
            if expired:
                await self.session.refresh(instance, attribute_names=expired)
        return instance

    async def update_many(
        self,
        filters: Mapping[str, Any] | Sequence[st.ConditionArg] | None = None,
        **values: Any,
    ) -> int:
        """One ``UPDATE ... WHERE`` (per chunk of a long ``__in`` list);
        returns the number of rows matched."""
        statements = self._update_many(filters, values)
        with self._guard("update_many", attributes=values):
            return await self._rows_affected(statements, self._options(False))

    # -- delete ------------------------------------------------------------

    async def delete(self, id: Any, *, hard: bool = False) -> bool:
        """Soft-delete (``SoftDeleteMixin`` models) or delete the row; ``False``
        if there is no such (visible) row. ``hard=True`` always removes it."""
        instance = await self.get(id, include_deleted=hard)
        if instance is None:
            return False
        with self._guard("delete", id=id):
            if self._soft and not hard:
                instance.soft_delete()  # type: ignore[attr-defined]
            else:
                await self.session.delete(instance)
            await self.session.flush()
        return True

    async def delete_many(
        self, *conditions: st.ConditionArg, hard: bool = False, **lookups: Any
    ) -> int:
        """One ``DELETE`` (or soft-delete ``UPDATE``) per chunk; rows affected."""
        statements = self._delete_many(conditions, lookups, hard)
        with self._guard("delete_many", filters=lookups):
            return await self._rows_affected(statements, self._options(hard))

    async def _rows_affected(
        self, statements: Sequence[Executable], options: Mapping[str, Any]
    ) -> int:
        total = 0
        for statement in statements:
            result = await self.session.execute(statement, execution_options=options)
            total += cast(CursorResult[Any], result).rowcount
        return total

    async def restore(self, id: Any) -> ModelT | None:
        """Undo a soft delete; ``None`` if there is no such row."""
        self._require_soft("restore")
        instance = await self.get(id, include_deleted=True)
        if instance is None:
            return None
        with self._guard("restore", id=id):
            instance.restore()  # type: ignore[attr-defined]
            await self.session.flush()
        return instance

    # -- escape hatch -------------------------------------------------------

    async def execute(
        self,
        statement: Executable,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Result[Any]:
        """Run any statement on the repository's session (errors translated)."""
        with self._guard("execute"):
            return await self.session.execute(
                statement, params, execution_options=execution_options or st.NO_OPTIONS
            )


#: The older spelling of this module's repository, still importable from it.
BaseRepository = AsyncBaseRepository
