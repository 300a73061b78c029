"""Every statement a repository runs, built here once for sync and async.

Pure functions of a :class:`ModelInfo`, already-validated criteria and the
dialect name: nothing here touches a session. The sync and async
repositories only execute what these return and shape the results with the
helpers at the end of this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Delete,
    Enum,
    Insert,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    Update,
    Uuid,
    and_,
    bindparam,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeDecorator

from shared_infrastructure.database.mixins import SameAsColumn
from shared_infrastructure.database.repository.errors import InvalidFilter, UnknownField
from shared_infrastructure.database.repository.lookups import (
    Condition,
    Criterion,
    check_field,
    parse_filter,
    parse_lookups,
    value_coercer,
)
from shared_infrastructure.database.repository.mapping import Attribute, ModelInfo
from shared_infrastructure.database.types import UtcDateTime, utcnow
from shared_infrastructure.domain.query import Cursor, Filter, InvalidQuery, Ordering

#: Largest ``IN`` list put in one statement where ``= ANY`` is not used;
#: longer lists are split and the statement runs once per chunk (writes).
IN_CHUNK = {"sqlite": 30_000, "mysql": 20_000, "mariadb": 20_000}
DEFAULT_IN_CHUNK = 1_000

INCLUDE_DELETED: Mapping[str, Any] = {"include_deleted": True}
NO_OPTIONS: Mapping[str, Any] = {}
POPULATE_EXISTING_WITH_DELETED: Mapping[str, Any] = {
    "populate_existing": True,
    "include_deleted": True,
}

ConditionArg = Filter | ColumnElement[bool]
OrderArg = str | Ordering | ColumnElement[Any]
OrderBy = OrderArg | Sequence[OrderArg] | None


def is_mysql(dialect: str) -> bool:
    return dialect in ("mysql", "mariadb")


# -- WHERE -------------------------------------------------------------------


@dataclass(slots=True)
class Where:
    """Validated conditions of one call: parsed lookups plus ready expressions."""

    criteria: list[Criterion]
    expressions: list[Condition]

    def __bool__(self) -> bool:
        return bool(self.criteria or self.expressions)

    def clauses(self, dialect: str) -> list[Condition]:
        return [c.expression(dialect) for c in self.criteria] + self.expressions

    def chunks(self, dialect: str, max_parameters: int) -> Iterator[list[Condition]]:
        """The clauses, split on the longest ``__in`` list when it is too long
        for one statement on this dialect (so a write runs once per chunk).
        Values are de-duplicated first so no row is counted twice.
        (``__not_in`` cannot be split: it stays whole.)"""
        if dialect == "postgresql":  # long lists become = ANY(:array)
            yield self.clauses(dialect)
            return
        limit = min(IN_CHUNK.get(dialect, DEFAULT_IN_CHUNK), max(max_parameters - 100, 100))
        longest = max(
            (c for c in self.criteria if c.lookup.name == "in"),
            key=lambda c: len(c.value),
            default=None,
        )
        if longest is None or len(longest.value) <= limit:
            yield self.clauses(dialect)
            return
        values = list(dict.fromkeys(longest.value))
        others = [c.expression(dialect) for c in self.criteria if c is not longest]
        others += self.expressions
        for start in range(0, len(values), limit):
            part = longest.with_value(values[start : start + limit])
            yield [part.expression(dialect), *others]


def build_where(
    info: ModelInfo[Any],
    conditions: Sequence[ConditionArg],
    lookups: Mapping[str, Any],
) -> Where:
    criteria = parse_lookups(info, lookups) if lookups else []
    expressions: list[Condition] = []
    for condition in conditions:
        if isinstance(condition, Filter):
            criteria.append(parse_filter(info, condition))
        elif isinstance(condition, ColumnElement):
            expressions.append(condition)
        else:
            raise InvalidFilter(
                f"positional filters must be Filter objects or SQLAlchemy expressions, "
                f"got {type(condition).__name__}"
            )
    return Where(criteria, expressions)


def not_deleted(info: ModelInfo[Any]) -> Condition:
    assert info.deleted_at is not None
    return info.deleted_at.is_(None)


# -- ORDER BY ------------------------------------------------------------------


def _as_ordering(item: OrderArg) -> Ordering | None:
    if isinstance(item, str):
        return Ordering.parse(item)
    if isinstance(item, Ordering):
        return item
    return None


def order_clauses(info: ModelInfo[Any], order_by: OrderBy) -> list[ColumnElement[Any]]:
    """``"name"``, ``"-created_at"``, ``Ordering`` or SQLAlchemy expressions."""
    if order_by is None:
        return []
    items = [order_by] if isinstance(order_by, str | Ordering | ColumnElement) else order_by
    clauses: list[ColumnElement[Any]] = []
    for item in items:
        ordering = _as_ordering(item)
        if ordering is None:
            if not isinstance(item, ColumnElement):
                raise InvalidFilter(f"cannot order by {item!r}")
            clauses.append(item)
            continue
        column = check_field(info, ordering.field)
        clauses.append(column.desc() if ordering.descending else column.asc())
    return clauses


def pk_order(info: ModelInfo[Any]) -> list[ColumnElement[Any]]:
    return [column.asc() for column in info.primary_key]


# -- reads -------------------------------------------------------------------


def select_rows(
    info: ModelInfo[Any],
    clauses: Sequence[Condition],
    *,
    order: Sequence[ColumnElement[Any]] = (),
    skip: int = 0,
    limit: int | None = None,
) -> Select[Any]:
    if skip < 0:
        raise InvalidFilter("skip must not be negative", field="skip")
    if limit is not None and limit < 0:
        raise InvalidFilter("limit must not be negative", field="limit")
    statement = select(info.model)
    if clauses:
        statement = statement.where(*clauses)
    if (skip or limit is not None) and not order:
        order = pk_order(info)  # pages need a stable order
    if order:
        statement = statement.order_by(*order)
    if skip:
        statement = statement.offset(skip)
    if limit is not None:
        statement = statement.limit(limit)
    return statement


def count_rows(info: ModelInfo[Any], clauses: Sequence[Condition]) -> Select[Any]:
    statement = select(func.count()).select_from(info.model)
    return statement.where(*clauses) if clauses else statement


def exists_row(info: ModelInfo[Any], clauses: Sequence[Condition]) -> Select[Any]:
    statement = select(info.primary_key[0]).limit(1)
    return statement.where(*clauses) if clauses else statement


# -- writes ------------------------------------------------------------------


def check_values(info: ModelInfo[Any], values: Mapping[str, Any], *, columns_only: bool) -> None:
    """Refuse names that are not mapped (only columns for bulk statements)."""
    allowed = info.column_names if columns_only else info.settable
    for name in values:
        if name not in allowed:
            raise UnknownField(info.entity, name, allowed)


def check_rows(info: ModelInfo[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Every row of a bulk insert names only columns (one set test per row)."""
    allowed = info.column_names
    for row in rows:
        if not allowed.issuperset(row):
            check_values(info, row, columns_only=True)


def update_values(info: ModelInfo[Any], values: Mapping[str, Any]) -> dict[Any, Any]:
    """SET clause keyed by attribute (never by a caller's string); bumps the
    optimistic version like a unit-of-work flush would."""
    columns = info.columns
    assignments: dict[Any, Any] = {columns[name]: value for name, value in values.items()}
    version = info.version
    if version is not None and version not in assignments:
        assignments[version] = version + 1
    return assignments


def update_rows(
    info: ModelInfo[Any], clauses: Sequence[Condition], assignments: Mapping[Any, Any]
) -> Update:
    return update(info.model).where(*clauses).values(assignments)


def delete_rows(info: ModelInfo[Any], clauses: Sequence[Condition]) -> Delete:
    return delete(info.model).where(*clauses)


def soft_delete_rows(info: ModelInfo[Any], clauses: Sequence[Condition]) -> Update:
    assert info.deleted_at is not None
    assignments = update_values(info, {info.deleted_at.key: utcnow()})
    return update(info.model).where(*clauses).values(assignments)


# -- inserts -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InsertPlan:
    """How ``create_many`` gets instances back in the caller's order."""

    statement: Insert
    #: re-order the returned instances by key (``"pk"``) or by the
    #: autoincrement value (``"autoincrement"``); ``None``: already ordered
    reorder: str | None


def insert_returning(
    info: ModelInfo[Any], rows: Sequence[Mapping[str, Any]], dialect: str
) -> InsertPlan:
    """One ``INSERT ... VALUES (...), (...) RETURNING`` per batch of rows.

    - every row carries its primary key: plain RETURNING, matched by key;
    - SQLite with an integer ROWID key: plain RETURNING sorted by the key
      (SQLite has no batched ordered form, SQLAlchemy would fall back to one
      INSERT per row; SQLite assigns ROWIDs in VALUES order);
    - otherwise SQLAlchemy's ``sort_by_parameter_order`` (batched on
      PostgreSQL and MariaDB, or with client-generated keys).
    """
    model = info.model
    pk_names = info.pk_names
    if all(all(name in row for name in pk_names) for row in rows):
        return InsertPlan(insert(model).returning(model), "pk")
    if dialect == "sqlite" and info.autoincrement_pk and not any(pk_names[0] in r for r in rows):
        return InsertPlan(insert(model).returning(model), "autoincrement")
    return InsertPlan(insert(model).returning(model, sort_by_parameter_order=True), None)


def reorder_inserted(
    info: ModelInfo[Any],
    plan: InsertPlan,
    rows: Sequence[Mapping[str, Any]],
    instances: list[Any],
) -> list[Any]:
    if plan.reorder is None or len(instances) < 2:
        return instances
    if plan.reorder == "autoincrement":
        instances.sort(key=attrgetter(info.pk_names[0]))  # already sorted: one pass
        return instances
    return match_rows(info.pk_names, rows, instances) or instances


def match_rows(
    names: Sequence[str], rows: Sequence[Mapping[str, Any]], instances: Sequence[Any]
) -> list[Any] | None:
    """``instances`` in the order of ``rows``, matched on ``names``; ``None``
    when some row cannot be matched exactly (e.g. a case-folding collation)."""
    if len(names) == 1:
        name = names[0]
        by_key = {getattr(instance, name): instance for instance in instances}
        try:
            return [by_key[row[name]] for row in rows]
        except (KeyError, TypeError):
            return None
    by_tuple = {tuple(getattr(instance, n) for n in names): instance for instance in instances}
    try:
        return [by_tuple[tuple(row[n] for n in names)] for row in rows]
    except (KeyError, TypeError):
        return None


def insert_plain(info: ModelInfo[Any]) -> Insert:
    return insert(info.model)


# -- PostgreSQL: INSERT ... SELECT FROM unnest(arrays) ------------------------------------

#: rows per ``INSERT ... SELECT ... FROM unnest(...)`` statement
UNNEST_BATCH = 10_000
_UNNEST_TYPES = (Integer, String, Uuid, Numeric, Boolean, Date, DateTime)


@dataclass(frozen=True, slots=True)
class DefaultFill:
    """How one column the rows leave out gets its Python-side default."""

    column: Column[Any]
    function: Callable[[], Any] | None = None  # called once per row
    scalar: Any = None  # else this value for every row
    same_as: int | None = None  # or the values of this position in ``columns``

    def values(self, arrays: Sequence[list[Any]], count: int) -> list[Any]:
        if self.same_as is not None:
            return list(arrays[self.same_as])
        if self.function is not None:
            return [self.function() for _ in range(count)]
        return [self.scalar] * count


@dataclass(frozen=True, slots=True)
class UnnestShape:
    """How rows naming ``keys`` become one array per column: first the keys'
    columns, then one ``DefaultFill`` per defaulted column."""

    keys: tuple[str, ...]
    columns: tuple[Column[Any], ...]
    defaults: tuple[DefaultFill, ...]
    #: positions (in ``columns``) of the primary key, when the values are
    #: known before the insert (given or generated here); ``None``: the key
    #: is an autoincrement integer and the result is sorted on it
    pk_positions: tuple[int, ...] | None


def _unnest_safe(column: Column[Any]) -> bool:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, _UNNEST_TYPES) and not isinstance(column_type, Enum)


def _default_fill(column: Column[Any], filled: Sequence[Column[Any]]) -> DefaultFill | None:
    """How to fill ``column`` after the columns in ``filled``; ``None`` when
    its default needs SQLAlchemy (context, SQL expression, sequence)."""
    default = column.default
    if getattr(default, "is_scalar", False):
        return DefaultFill(column, scalar=default.arg)  # type: ignore[union-attr]
    if not getattr(default, "is_callable", False):
        return None
    function = default.arg  # type: ignore[union-attr]
    if isinstance(function, SameAsColumn):
        keys = [other.key for other in filled]
        if function.key not in keys:
            return None
        return DefaultFill(column, same_as=keys.index(function.key))
    wrapped = getattr(function, "__wrapped__", None)  # SQLAlchemy wraps zero-argument callables
    return DefaultFill(column, function=wrapped) if wrapped is not None else None


def unnest_shape(info: ModelInfo[Any], keys: tuple[str, ...]) -> UnnestShape | None:
    """The array layout for rows naming ``keys``; ``None`` when a column
    cannot travel as an array or a default needs SQLAlchemy's context."""
    shapes: dict[tuple[str, ...], UnnestShape | None] = info.unnest_shapes
    if keys in shapes:
        return shapes[keys]
    shape = _build_unnest_shape(info, keys)
    if len(shapes) < 64:
        shapes[keys] = shape
    return shape


def _build_unnest_shape(info: ModelInfo[Any], keys: tuple[str, ...]) -> UnnestShape | None:
    mapper_columns = info.mapper.columns
    table = info.mapper.local_table
    if not isinstance(table, Table):
        return None
    columns = [mapper_columns[key] for key in keys]
    if any(column.table is not table for column in columns):
        return None  # inheritance across tables: leave it to SQLAlchemy
    defaults: list[DefaultFill] = []
    all_columns = list(columns)
    for column in table.columns:
        if column in all_columns or column.default is None:
            continue
        fill = _default_fill(column, all_columns)
        if fill is None:
            return None
        defaults.append(fill)
        all_columns.append(column)
    if not all(_unnest_safe(column) for column in all_columns):
        return None
    pk_columns = [mapper_columns[name] for name in info.pk_names]
    pk_positions: tuple[int, ...] | None
    if all(column in all_columns for column in pk_columns):
        pk_positions = tuple(all_columns.index(column) for column in pk_columns)
    elif info.autoincrement_pk:
        pk_positions = None
    else:
        return None  # a server-generated key we could not match back
    return UnnestShape(keys, tuple(all_columns), tuple(defaults), pk_positions)


@dataclass(frozen=True, slots=True)
class UnnestBatch:
    statement: Insert
    #: primary key of every row, in the caller's order (``None``: sort on
    #: the autoincrement key instead)
    keys: list[tuple[Any, ...]] | None


def unnest_batches(
    info: ModelInfo[Any], shape: UnnestShape, rows: Sequence[Mapping[str, Any]], returning: bool
) -> Iterator[UnnestBatch]:
    """``INSERT INTO t (...) SELECT ... FROM unnest(:a0, :a1, ...) WITH
    ORDINALITY ORDER BY ordinality [RETURNING t]``: one array parameter per
    column instead of one parameter per value, generated keys assigned in
    the caller's order (as SQLAlchemy's own sorted insertmanyvalues form)."""
    names = [f"c{index}" for index in range(len(shape.columns))]
    for start in range(0, len(rows), UNNEST_BATCH):
        batch = rows[start : start + UNNEST_BATCH]
        count = len(batch)
        arrays: list[list[Any]] = [[row[key] for row in batch] for key in shape.keys]
        for fill in shape.defaults:
            arrays.append(fill.values(arrays, count))
        parameters = [
            bindparam(f"a{index}", values, type_=ARRAY(column.type))
            for index, (column, values) in enumerate(zip(shape.columns, arrays, strict=True))
        ]
        source = (
            func.unnest(*parameters)
            .table_valued(*names, with_ordinality="ordinality")
            .render_derived(name="src")
        )
        rows_in_order = select(*(source.c[name] for name in names)).order_by(source.c.ordinality)
        statement = insert(info.model).from_select(list(shape.columns), rows_in_order)
        if returning:
            statement = statement.returning(info.model)
        keys = None
        if shape.pk_positions is not None:
            keys = list(zip(*(arrays[p] for p in shape.pk_positions), strict=True))
        yield UnnestBatch(statement, keys)


def order_unnested(info: ModelInfo[Any], batch: UnnestBatch, instances: list[Any]) -> list[Any]:
    """The batch's instances in the caller's order."""
    if batch.keys is None:
        instances.sort(key=attrgetter(info.pk_names[0]))
        return instances
    getter = attrgetter(*info.pk_names)
    if len(info.pk_names) == 1:
        by_key = {(getter(instance),): instance for instance in instances}
    else:
        by_key = {getter(instance): instance for instance in instances}
    try:
        return [by_key[key] for key in batch.keys]
    except KeyError:
        return instances


# -- upsert ------------------------------------------------------------------


def upsert_rows(
    info: ModelInfo[Any],
    dialect: str,
    keys: Sequence[str],
    conflict_on: Sequence[str],
    update_fields: Sequence[str] | None,
) -> Insert:
    """Native upsert: ``ON CONFLICT (...) DO UPDATE`` (PostgreSQL, SQLite) or
    ``ON DUPLICATE KEY UPDATE`` (MariaDB/MySQL, which picks the conflicting
    unique key itself), returning the rows. ``update_fields=None`` updates
    every supplied column but the conflict key; ``[]`` keeps existing rows as
    they are (a no-op assignment, so the row still comes back)."""
    mapper_columns = info.mapper.columns
    if update_fields is None:
        update_fields = [k for k in keys if k not in conflict_on and k not in info.pk_names]
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(info.model)
        incoming = statement.excluded
    elif dialect == "sqlite":
        statement = sqlite.insert(info.model)
        incoming = statement.excluded
    elif is_mysql(dialect):
        statement = mysql.insert(info.model)
        incoming = statement.inserted
    else:
        raise NotImplementedError(f"upsert is not implemented for the {dialect!r} dialect")
    assignments: dict[Any, Any] = {}
    for name in update_fields:
        column = mapper_columns[name]
        assignments[column] = incoming[column.key]
    if assignments:
        for name in info.onupdate:  # updated_at moves like on an ORM update
            column = mapper_columns[name]
            if column not in assignments and column.default is not None:
                assignments[column] = incoming[column.key]
        if info.version is not None:
            version_column = mapper_columns[info.version.key]
            assignments.setdefault(version_column, version_column + 1)
    else:
        column = mapper_columns[conflict_on[0]]
        assignments[column] = incoming[column.key]
    if is_mysql(dialect):
        statement = statement.on_duplicate_key_update(assignments)
    else:
        statement = statement.on_conflict_do_update(
            index_elements=[mapper_columns[name] for name in conflict_on], set_=assignments
        )
    result: Insert = statement.returning(info.model)
    return result


# -- keyset pagination -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPart:
    """One column of a keyset ordering; ``name`` is the attribute read from
    a row for its cursor."""

    name: str
    column: Attribute
    descending: bool
    nullable: bool


def key_part(name: str, column: Attribute, descending: bool) -> KeyPart:
    """A :class:`KeyPart` whose nullability is the mapped column's (a SQL
    expression that is not a table column counts as nullable: the NULL-safe
    form is correct either way)."""
    nullable = getattr(column.expression, "nullable", True)
    return KeyPart(name, column, descending, bool(nullable))


def keyset_parts(info: ModelInfo[Any], order_by: OrderBy) -> list[KeyPart]:
    """The ordering, by field names only, always ending with the primary key."""
    if order_by is None:
        items: Sequence[OrderArg] = ()
    elif isinstance(order_by, str | Ordering | ColumnElement):
        items = [order_by]
    else:
        items = order_by
    parts: list[KeyPart] = []
    for item in items:
        ordering = _as_ordering(item)
        if ordering is None:
            raise InvalidFilter(
                f"keyset pagination orders by field names ('name', '-created_at'), not by {item!r}",
                field="order_by",
            )
        column = check_field(info, ordering.field)
        parts.append(key_part(ordering.field, column, ordering.descending))
    named = {part.name for part in parts}
    for name, column in zip(info.pk_names, info.primary_key, strict=True):
        if name not in named:
            parts.append(KeyPart(name, column, False, False))
    return parts


def keyset_order(parts: Sequence[KeyPart]) -> list[ColumnElement[Any]]:
    """NULLs sort last in both directions, on every database."""
    clauses: list[ColumnElement[Any]] = []
    for part in parts:
        if part.nullable:
            clauses.append(part.column.is_(None).asc())
        clauses.append(part.column.desc() if part.descending else part.column.asc())
    return clauses


def _after(part: KeyPart, value: Any) -> Condition | None:
    if value is None:
        return None  # NULLs are last: nothing follows within this key
    beyond = part.column < value if part.descending else part.column > value
    return or_(beyond, part.column.is_(None)) if part.nullable else beyond


def _equal(part: KeyPart, value: Any) -> Condition:
    return part.column.is_(None) if value is None else part.column == value


def keyset_after(parts: Sequence[KeyPart], values: Sequence[Any], dialect: str) -> Condition:
    """Rows strictly after ``values`` in the ``parts`` ordering."""
    if len(parts) == 1:
        only = _after(parts[0], values[0])
        return false() if only is None else only
    uniform = not any(p.nullable for p in parts) and len({p.descending for p in parts}) == 1
    if uniform and dialect in ("postgresql", "sqlite"):  # row comparison uses the index
        row = tuple_(*(p.column for p in parts))
        # each value bound with its column's type (enums, UUIDs... are converted)
        bound = tuple_(*(literal(v, p.column.type) for p, v in zip(parts, values, strict=True)))
        return row < bound if parts[0].descending else row > bound
    alternatives: list[Condition] = []
    for index, part in enumerate(parts):
        beyond = _after(part, values[index])
        if beyond is None:
            continue
        equal = [_equal(parts[j], values[j]) for j in range(index)]
        alternatives.append(and_(*equal, beyond) if equal else beyond)
    return or_(*alternatives) if alternatives else false()


def _to_cursor_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def encode_cursor(parts: Sequence[KeyPart], last: Any) -> str:
    return Cursor(tuple(_to_cursor_value(getattr(last, p.name)) for p in parts)).encode()


def cursor_value_fits(column_type: Any, value: Any) -> bool:
    """Whether a decoded cursor value has the family :func:`encode_cursor`
    writes for the column: a ``5.5`` for an integer key, or a float for an
    exact decimal, is a forged or foreign cursor, refused rather than
    compared (integral text for an integer is still read, by the coercer)."""
    if isinstance(column_type, UtcDateTime):
        column_type = column_type.impl
    if isinstance(column_type, Enum | TypeDecorator):
        return True  # checked by the column's own coercer, if any
    if isinstance(column_type, Boolean):
        return isinstance(value, bool)
    if isinstance(column_type, Integer):  # integral text is read by the coercer
        return isinstance(value, int | str) and not isinstance(value, bool)
    if isinstance(column_type, Numeric):
        if column_type.asdecimal:
            return isinstance(value, Decimal)
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(column_type, DateTime):
        return isinstance(value, datetime)
    if isinstance(column_type, Date):
        return isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(column_type, Uuid):
        return isinstance(value, uuid.UUID | str)
    if isinstance(column_type, String):
        return isinstance(value, str)
    return True


def decode_cursor(parts: Sequence[KeyPart], token: str) -> list[Any]:
    """Cursor values coerced back to the columns' Python types (the rules of
    filter values: a value of another type is refused before any SQL)."""
    try:
        values = list(Cursor.decode(token, len(parts)).values)
        for index, part in enumerate(parts):
            value = values[index]
            if value is None:
                if not part.nullable:
                    raise InvalidFilter("cursor does not match this ordering", field="after")
                continue
            if not cursor_value_fits(part.column.type, value):
                raise InvalidFilter("malformed cursor", field="after")
            coerce = value_coercer(part.column)
            if coerce is not None:
                values[index] = coerce(value)
    except InvalidFilter:
        raise
    except InvalidQuery as error:
        raise InvalidFilter(error.message, field="after") from error
    except (ValueError, TypeError) as error:
        raise InvalidFilter("malformed cursor", field="after") from error
    return values
