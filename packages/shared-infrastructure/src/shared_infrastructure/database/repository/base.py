"""What the sync and async repositories share: everything but the ``await``.

:class:`RepositoryBase` validates arguments, builds statements (through
:mod:`.statements`), decides execution options and shapes results. The
subclasses in :mod:`.sync` and :mod:`.async_` only run what it prepares, so
the two flavours cannot drift apart.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

from sqlalchemy import Delete, Insert, Select, Update, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared_infrastructure.database.errors import NotFoundError, translate_error
from shared_infrastructure.database.repository import statements as st
from shared_infrastructure.database.repository.errors import InvalidFilter
from shared_infrastructure.database.repository.lookups import Condition
from shared_infrastructure.database.repository.mapping import ModelInfo, model_info
from shared_infrastructure.database.sessions import AppSession
from shared_infrastructure.domain.errors import DomainError
from shared_infrastructure.domain.query import InvalidQuery, Page, QuerySpec

ModelT = TypeVar("ModelT")
SessionT = TypeVar("SessionT", Session, AsyncSession)

logger = logging.getLogger("shared_infrastructure.database")

_SENSITIVE = re.compile(r"pass(word|wd)?|secret|token|api_?key|credential|hash", re.IGNORECASE)
_MAX_LOGGED = 200


def loggable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes as logged with an error: secrets masked, long values cut."""
    logged: dict[str, Any] = {}
    for name, value in values.items():
        if _SENSITIVE.search(name):
            logged[name] = "***"
            continue
        text = repr(value)
        logged[name] = text if len(text) <= _MAX_LOGGED else text[:_MAX_LOGGED] + "..."
    return logged


#: context entries holding caller values: masked and shortened, and only
#: when something is logged (never on the happy path)
_MASKED = frozenset({"attributes", "filters"})


def _describe(error: BaseException) -> str:
    """``IntegrityError('duplicate key ...')``: the SQLAlchemy class and the
    driver's first line (never the SQL or its parameters)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(error).__name__}({lines[0] if lines else ''!r})"


class _Guard:
    """Translates database errors raised inside the block (see
    :func:`translate_error`: ``IntegrityConflict`` naming the constraint,
    ``DatabaseUnavailable``...) and logs them with the call's context."""

    __slots__ = ("_context", "_metadata")

    def __init__(self, metadata: Any, context: dict[str, Any]) -> None:
        self._metadata = metadata
        self._context = context

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or not isinstance(exc, Exception):
            return
        if isinstance(exc, InvalidQuery | DomainError):
            return
        context = {
            key: loggable(value) if key in _MASKED and isinstance(value, Mapping) else value
            for key, value in self._context.items()
        }
        translated = translate_error(exc, metadata=self._metadata, log=False, **context)
        if translated is exc:
            return
        operation, entity = context.get("operation"), context.get("entity")
        logger.error(
            "Failed to %s %s",
            operation,
            entity,
            exc_info=exc,
            extra={
                "entity_type": entity,
                "error": _describe(exc),
                "attributes": context.get("attributes", {}),
                "db_context": context,
            },
        )
        raise translated from exc


@dataclass(frozen=True, slots=True)
class PagePlan:
    """A page query (offset or keyset) and how to turn its rows into a ``Page``."""

    statement: Select[Any]
    count: Select[Any] | None
    options: Mapping[str, Any]
    limit: int | None
    offset: int = 0
    parts: tuple[st.KeyPart, ...] | None = None  # keyset pagination

    def page(self, rows: Sequence[Any], total: int | None) -> Page[Any]:
        items = list(rows)
        next_cursor = None
        if self.parts is not None and self.limit is not None and len(items) > self.limit:
            items = items[: self.limit]
            next_cursor = st.encode_cursor(self.parts, items[-1])
        return Page(
            items=items, total=total, limit=self.limit, offset=self.offset, next_cursor=next_cursor
        )


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    statement: Insert
    rows: list[dict[str, Any]]
    conflict_on: tuple[str, ...]
    options: Mapping[str, Any]


class RepositoryBase(Generic[ModelT, SessionT]):
    """Shared state and preparation; see :class:`SyncBaseRepository` and
    :class:`AsyncBaseRepository` for the public methods."""

    model: type[ModelT]
    session: SessionT

    def __init__(self, model: type[ModelT], session: SessionT) -> None:
        self.model = model
        self.session = session
        self.info: ModelInfo[ModelT] = model_info(model)
        sync_session = session.sync_session if isinstance(session, AsyncSession) else session
        self._sync_session: Session = sync_session
        self._soft = self.info.soft_delete
        app_session = isinstance(sync_session, AppSession)
        # AppSession hides soft-deleted rows itself; other sessions get the
        # criterion from us.
        self._filter_deleted = self._soft and not app_session
        # AppSession's hook adds its soft-delete criteria to every ORM
        # statement (a measurable cost per call); skip it where no
        # soft-delete class can be involved.
        self._bypass_hook = app_session and not self.info.soft_delete_reachable
        self._read_options = st.INCLUDE_DELETED if self._bypass_hook else st.NO_OPTIONS
        self._dialect: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.info.entity})"

    # -- facts -------------------------------------------------------------

    @property
    def entity(self) -> str:
        return self.info.entity

    @property
    def dialect(self) -> str:
        """Name of the dialect the session uses for this model."""
        if self._dialect is None:
            bind = self._sync_session.get_bind(mapper=self.info.mapper)
            self._dialect = bind.dialect.name
        return self._dialect

    def _returns_inserted(self) -> bool:
        bind = self._sync_session.get_bind(mapper=self.info.mapper)
        return bool(bind.dialect.insert_executemany_returning)

    def _max_parameters(self) -> int:
        """Bind parameters one statement may carry on this dialect."""
        bind = self._sync_session.get_bind(mapper=self.info.mapper)
        return int(getattr(bind.dialect, "insertmanyvalues_max_parameters", 32_700))

    # -- errors ------------------------------------------------------------

    def _guard(self, operation: str, **context: Any) -> _Guard:
        context["operation"] = operation
        context["entity"] = self.info.entity
        return _Guard(self.info.metadata, context)

    def _not_found(self, identifier: object) -> NotFoundError:
        return NotFoundError(self.info.entity, identifier)

    # -- reads -------------------------------------------------------------

    def _options(self, include_deleted: bool) -> Mapping[str, Any]:
        """Execution options of a read (or bulk write) statement."""
        return st.INCLUDE_DELETED if include_deleted else self._read_options

    def _hidden(self, instance: Any, include_deleted: bool) -> bool:
        """A soft-deleted instance found in the identity map."""
        return self._soft and not include_deleted and instance.deleted_at is not None

    def _clauses(
        self,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
        include_deleted: bool,
    ) -> list[Condition]:
        clauses = st.build_where(self.info, conditions, lookups).clauses(self.dialect)
        if self._filter_deleted and not include_deleted:
            clauses.append(st.not_deleted(self.info))
        return clauses

    def _select(
        self,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
        *,
        include_deleted: bool,
        skip: int = 0,
        limit: int | None = None,
        order_by: st.OrderBy = None,
    ) -> Select[Any]:
        return st.select_rows(
            self.info,
            self._clauses(conditions, lookups, include_deleted),
            order=st.order_clauses(self.info, order_by),
            skip=skip,
            limit=limit,
        )

    def _first(
        self,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
        include_deleted: bool,
    ) -> Select[Any]:
        clauses = self._clauses(conditions, lookups, include_deleted)
        return st.select_rows(self.info, clauses).limit(1)

    def _count(
        self,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
        include_deleted: bool,
    ) -> Select[Any]:
        return st.count_rows(self.info, self._clauses(conditions, lookups, include_deleted))

    def _exists(
        self,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
        include_deleted: bool,
    ) -> Select[Any]:
        return st.exists_row(self.info, self._clauses(conditions, lookups, include_deleted))

    def _keyset(
        self,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
        *,
        after: str | None,
        limit: int | None,
        order_by: st.OrderBy,
        include_deleted: bool,
        with_total: bool,
        offset: int = 0,
    ) -> PagePlan:
        """Rows ordered by ``order_by`` plus the primary key, one extra row
        fetched to know whether a ``next_cursor`` is due."""
        if limit is not None and limit < 1:
            raise InvalidFilter("limit must be at least 1", field="limit")
        parts = st.keyset_parts(self.info, order_by)
        where: list[Condition] = self._clauses(conditions, lookups, include_deleted)
        count = st.count_rows(self.info, where) if with_total else None
        if after is not None:
            values = st.decode_cursor(parts, after)
            where = [*where, st.keyset_after(parts, values, self.dialect)]
        statement = st.select_rows(
            self.info,
            where,
            order=st.keyset_order(parts),
            skip=offset,
            limit=None if limit is None else limit + 1,
        )
        options = self._options(include_deleted)
        return PagePlan(statement, count, options, limit, offset, tuple(parts))

    def _spec(self, spec: QuerySpec, include_deleted: bool) -> PagePlan:
        """A domain spec: offset or cursor, a ``next_cursor`` on every page
        that has a successor (as the in-memory fakes do)."""
        return self._keyset(
            spec.filters,
            {},
            after=spec.after,
            limit=spec.limit,
            order_by=spec.order_by,
            include_deleted=include_deleted,
            with_total=spec.with_total,
            offset=spec.offset,
        )

    # -- writes ------------------------------------------------------------

    def _new_instance(self, values: Mapping[str, Any]) -> ModelT:
        st.check_values(self.info, values, columns_only=False)
        return self.model(**values)

    def _check_settable(self, values: Mapping[str, Any]) -> None:
        st.check_values(self.info, values, columns_only=False)

    @staticmethod
    def _expired(instance: Any) -> list[str] | None:
        """Attributes the flush left to the database (server defaults)."""
        expired = inspect(instance).expired_attributes
        return list(expired) if expired else None

    def _rows(self, rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        listed = rows if isinstance(rows, list) else list(rows)
        st.check_rows(self.info, listed)
        return listed

    def _unnest(
        self, rows: Sequence[Mapping[str, Any]], returning: bool
    ) -> list[st.UnnestBatch] | None:
        """PostgreSQL's fastest bulk insert, when the rows allow it: all rows
        name the same fields and every column travels as an array."""
        if self.dialect != "postgresql":
            return None
        first = rows[0].keys()
        if any(row.keys() != first for row in rows):
            return None
        shape = st.unnest_shape(self.info, tuple(first))
        if shape is None:
            return None
        return list(st.unnest_batches(self.info, shape, rows, returning))

    def _unnested(self, batch: st.UnnestBatch, instances: list[ModelT]) -> list[ModelT]:
        return st.order_unnested(self.info, batch, instances)

    def _insert_plan(self, rows: Sequence[Mapping[str, Any]]) -> st.InsertPlan | None:
        """``None`` when the dialect cannot return inserted rows in batches."""
        if not self._returns_inserted():
            return None
        return st.insert_returning(self.info, rows, self.dialect)

    def _reorder(
        self, plan: st.InsertPlan, rows: Sequence[Mapping[str, Any]], instances: list[ModelT]
    ) -> list[ModelT]:
        return st.reorder_inserted(self.info, plan, rows, instances)

    def _insert_plain(self) -> Insert:
        return st.insert_plain(self.info)

    def _write_where(
        self,
        operation: str,
        conditions: Sequence[st.ConditionArg],
        lookups: Mapping[str, Any],
    ) -> st.Where:
        where = st.build_where(self.info, conditions, lookups)
        if not where:
            raise InvalidFilter(
                f"{operation} needs at least one filter; refusing to touch every "
                f"{self.info.entity} row (use execute() for that)"
            )
        return where

    def _chunk_clauses(self, where: st.Where, include_deleted: bool) -> list[list[Condition]]:
        chunks = list(where.chunks(self.dialect, self._max_parameters()))
        if self._filter_deleted and not include_deleted:
            for clauses in chunks:
                clauses.append(st.not_deleted(self.info))
        return chunks

    def _update_many(
        self,
        filters: Mapping[str, Any] | Sequence[st.ConditionArg] | None,
        values: Mapping[str, Any],
    ) -> list[Update]:
        if not values:
            raise InvalidFilter("update_many needs at least one value to set")
        st.check_values(self.info, values, columns_only=True)
        if filters is None:
            filters = {}
        if isinstance(filters, Mapping):
            where = self._write_where("update_many", (), filters)
        else:
            where = self._write_where("update_many", filters, {})
        assignments = st.update_values(self.info, values)
        return [
            st.update_rows(self.info, c, assignments) for c in self._chunk_clauses(where, False)
        ]

    def _delete_many(
        self, conditions: Sequence[st.ConditionArg], lookups: Mapping[str, Any], hard: bool
    ) -> list[Update | Delete]:
        where = self._write_where("delete_many", conditions, lookups)
        chunks = self._chunk_clauses(where, include_deleted=hard)
        if self._soft and not hard:
            return [st.soft_delete_rows(self.info, clauses) for clauses in chunks]
        return [st.delete_rows(self.info, clauses) for clauses in chunks]

    def _require_soft(self, operation: str) -> None:
        if not self._soft:
            raise InvalidFilter(f"{operation}: {self.info.entity} has no soft delete")

    def _upsert(
        self,
        rows: Iterable[Mapping[str, Any]],
        conflict_on: Sequence[str] | str | None,
        update: Sequence[str] | None,
    ) -> UpsertPlan:
        listed = [dict(row) for row in rows]
        if not listed:
            return UpsertPlan(self._insert_plain(), [], (), st.POPULATE_EXISTING_WITH_DELETED)
        st.check_rows(self.info, listed)
        keys = list(listed[0])
        key_set = set(keys)
        if any(row.keys() != key_set for row in listed):
            raise InvalidFilter("upsert rows must all name the same fields")
        if conflict_on is None:
            conflict = self.info.pk_names
        else:
            conflict = (conflict_on,) if isinstance(conflict_on, str) else tuple(conflict_on)
        for name in conflict:
            st.check_values(self.info, {name: None}, columns_only=True)
            if name not in key_set:
                raise InvalidFilter(
                    f"upsert rows must carry the conflict field {name!r} "
                    "(pass conflict_on=... naming a unique column set)",
                    field=name,
                )
        if update is not None:
            st.check_values(self.info, dict.fromkeys(update), columns_only=True)
            missing = [name for name in update if name not in key_set]
            if missing:
                raise InvalidFilter(f"upsert update fields not in the rows: {missing}")
        seen: set[tuple[Any, ...]] = set()
        for row in listed:
            key = tuple(row[name] for name in conflict)
            if key in seen:
                raise InvalidFilter(f"upsert rows repeat the conflict key {key!r}")
            seen.add(key)
        statement = st.upsert_rows(self.info, self.dialect, keys, conflict, update)
        return UpsertPlan(statement, listed, conflict, st.POPULATE_EXISTING_WITH_DELETED)

    def _upserted(self, plan: UpsertPlan, instances: list[ModelT]) -> list[ModelT]:
        return st.match_rows(plan.conflict_on, plan.rows, instances) or instances
