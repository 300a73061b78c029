"""Translate a SQL-free ``QuerySpec`` into statements, once for sync and async.

Only fields listed in the repository's ``queryable`` map are accepted, so a
field name from a request can never reach SQL as text.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from shared_infrastructure.database.text_match import case_sensitive_like
from shared_infrastructure.domain.query import (
    LIKE_ESCAPE,
    Cursor,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    QuerySpec,
)

Columns = Mapping[str, InstrumentedAttribute[Any]]
_ORDERING_OPS = {Op.LT: operator.lt, Op.LE: operator.le, Op.GT: operator.gt, Op.GE: operator.ge}


@dataclass(frozen=True)
class SpecStatements:
    """The page query, the optional count query, and how to cut a cursor."""

    page: Select[Any]
    count: Select[Any] | None
    order_attributes: tuple[InstrumentedAttribute[Any], ...]
    limit: int | None


def _column(columns: Columns, name: str) -> InstrumentedAttribute[Any]:
    try:
        return columns[name]
    except KeyError:
        allowed = ", ".join(sorted(columns)) or "none"
        raise InvalidQuery(f"unknown field {name!r} (allowed: {allowed})", field=name) from None


def filter_clause(columns: Columns, item: Filter) -> ColumnElement[bool]:
    column = _column(columns, item.field)
    value = item.value.value if isinstance(item.value, Enum) else item.value
    if item.op in _ORDERING_OPS:
        return cast(ColumnElement[bool], _ORDERING_OPS[item.op](column, value))
    match item.op:
        case Op.EQ:
            return column.is_(None) if value is None else column == value
        case Op.NE:
            return column.is_not(None) if value is None else column != value
        case Op.IN:
            values = [v.value if isinstance(v, Enum) else v for v in value]
            return column.in_(values) if values else false()
        case Op.LIKE:
            return case_sensitive_like(column, item.like_pattern())
        case Op.ILIKE:
            return column.ilike(item.like_pattern(), escape=LIKE_ESCAPE)
        case Op.IS_NULL:
            return column.is_(None) if value else column.is_not(None)
    raise InvalidQuery(f"unsupported operator {item.op!r}", field=item.field)  # pragma: no cover


def _after(
    attributes: Sequence[InstrumentedAttribute[Any]],
    orderings: Sequence[Ordering],
    values: Sequence[Any],
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in a mixed-direction ordering."""
    clauses = []
    for position, (attribute, ordering) in enumerate(zip(attributes, orderings, strict=True)):
        equal_before = [attributes[i] == values[i] for i in range(position)]
        beyond = (
            attribute < values[position] if ordering.descending else attribute > values[position]
        )
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses) if clauses else true()


def build_spec_statements(
    base: Select[Any], columns: Columns, identity: InstrumentedAttribute[Any], spec: QuerySpec
) -> SpecStatements:
    where = [filter_clause(columns, item) for item in spec.filters]
    orderings = [*spec.order_by, Ordering("__identity__")]
    attributes = [_column(columns, o.field) for o in spec.order_by] + [identity]
    filtered = base.where(*where)
    count = (
        select(func.count()).select_from(filtered.order_by(None).subquery())
        if spec.with_total
        else None
    )
    page = filtered
    if spec.after is not None:
        cursor = Cursor.decode(spec.after, len(orderings))
        page = page.where(_after(attributes, orderings, cursor.values))
    page = page.order_by(
        *(a.desc() if o.descending else a.asc() for a, o in zip(attributes, orderings, strict=True))
    )
    if spec.offset:
        page = page.offset(spec.offset)
    if spec.limit is not None:
        page = page.limit(spec.limit + 1)  # one extra row tells whether a next page exists
    return SpecStatements(page, count, tuple(attributes), spec.limit)


def next_cursor(statements: SpecStatements, records: list[Any]) -> tuple[list[Any], str | None]:
    """Trim the look-ahead row and encode the cursor after the last row kept."""
    if statements.limit is None or len(records) <= statements.limit:
        return records, None
    kept = records[: statements.limit]
    last = kept[-1]
    values = tuple(getattr(last, attribute.key) for attribute in statements.order_attributes)
    return kept, Cursor(values).encode()
