"""Translate a SQL-free ``QuerySpec`` into statements, once for sync and async.

Only fields listed in the repository's ``queryable`` map are accepted, so a
field name from a request can never reach SQL as text; values are checked
against the column's type (the generic repository's rules) before any SQL.

Keyset pages use the generic repository's implementation
(:mod:`shared_infrastructure.database.repository.statements`): NULLs sort
last in both directions, on every database, as in the in-memory fakes.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import InstrumentedAttribute

from shared_infrastructure.database.repository.lookups import BadValue, value_coercer
from shared_infrastructure.database.repository.statements import (
    KeyPart,
    decode_cursor,
    encode_cursor,
    key_part,
    keyset_after,
    keyset_order,
)
from shared_infrastructure.database.text_match import case_sensitive_like
from shared_infrastructure.domain.query import (
    LIKE_ESCAPE,
    Filter,
    InvalidQuery,
    Op,
    QuerySpec,
    check_kind,
)

Columns = Mapping[str, InstrumentedAttribute[Any]]
_ORDERING_OPS = {Op.LT: operator.lt, Op.LE: operator.le, Op.GT: operator.gt, Op.GE: operator.ge}


@dataclass(frozen=True)
class SpecStatements:
    """The page query, the optional count query, and how to cut a cursor."""

    page: Select[Any]
    count: Select[Any] | None
    parts: tuple[KeyPart, ...]
    limit: int | None


def _column(columns: Columns, name: str) -> InstrumentedAttribute[Any]:
    try:
        return columns[name]
    except KeyError:
        allowed = ", ".join(sorted(columns)) or "none"
        raise InvalidQuery(f"unknown field {name!r} (allowed: {allowed})", field=name) from None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _checked(column: InstrumentedAttribute[Any], item: Filter, value: Any, many: bool) -> Any:
    """``value`` as the column's Python type, or ``InvalidQuery`` naming the
    field. Unlike the generic repository's lookups, text is not parsed into
    numbers, dates or ids here: the in-memory fakes cannot know a field's
    type, so both refuse a value of another family (``check_kind``)."""
    coerce = value_coercer(column)
    if coerce is None:
        return list(value) if many else value
    values = list(value) if many else [value]
    try:
        checked = [coerce(v) for v in values]
    except BadValue as error:
        raise InvalidQuery(
            f"{item.field!r} is not a valid value (expected {error.expected})",
            field=item.field,
        ) from None
    if not isinstance(column.type, SAEnum):
        for given, typed in zip(values, checked, strict=True):
            check_kind(item.field, given, typed)
    return checked if many else checked[0]


def filter_clause(columns: Columns, item: Filter) -> ColumnElement[bool]:
    column = _column(columns, item.field)
    value = _plain(item.value)
    if item.op in _ORDERING_OPS:
        if value is None:
            raise InvalidQuery(
                f"'{item.op.value}' on {item.field!r} cannot compare with None; use is_null",
                field=item.field,
            )
        value = _checked(column, item, value, many=False)
        return cast(ColumnElement[bool], _ORDERING_OPS[item.op](column, value))
    match item.op:
        case Op.EQ | Op.NE if value is None:
            return column.is_(None) if item.op is Op.EQ else column.is_not(None)
        case Op.EQ | Op.NE:
            value = _checked(column, item, value, many=False)
            clause: ColumnElement[bool] = column == value if item.op is Op.EQ else column != value
            return clause
        case Op.IN:
            values = _checked(column, item, [_plain(v) for v in value], many=True)
            return column.in_(values) if values else false()
        case Op.LIKE:
            return case_sensitive_like(column, item.like_pattern())
        case Op.ILIKE:
            return column.ilike(item.like_pattern(), escape=LIKE_ESCAPE)
        case Op.IS_NULL:
            return column.is_(None) if value else column.is_not(None)
    raise InvalidQuery(f"unsupported operator {item.op!r}", field=item.field)  # pragma: no cover


def key_parts(
    columns: Columns, identity: InstrumentedAttribute[Any], spec: QuerySpec
) -> list[KeyPart]:
    """The spec's ordering, then the identity as the tie-breaker."""
    parts = []
    for ordering in spec.order_by:
        column = _column(columns, ordering.field)
        parts.append(key_part(column.key, column, ordering.descending))
    parts.append(key_part(identity.key, identity, descending=False))
    return parts


def build_spec_statements(
    base: Select[Any], columns: Columns, identity: InstrumentedAttribute[Any], spec: QuerySpec
) -> SpecStatements:
    where = [filter_clause(columns, item) for item in spec.filters]
    parts = key_parts(columns, identity, spec)
    filtered = base.where(*where)
    count = (
        select(func.count()).select_from(filtered.order_by(None).subquery())
        if spec.with_total
        else None
    )
    page = filtered
    if spec.after is not None:
        values = decode_cursor(parts, spec.after)
        # built before a session (and its dialect) is known: the portable form
        page = page.where(keyset_after(parts, values, dialect=""))
    page = page.order_by(*keyset_order(parts))
    if spec.offset:
        page = page.offset(spec.offset)
    if spec.limit is not None:
        page = page.limit(spec.limit + 1)  # one extra row tells whether a next page exists
    return SpecStatements(page, count, tuple(parts), spec.limit)


def next_cursor(statements: SpecStatements, records: list[Any]) -> tuple[list[Any], str | None]:
    """Trim the look-ahead row and encode the cursor after the last row kept."""
    if statements.limit is None or len(records) <= statements.limit:
        return records, None
    kept = records[: statements.limit]
    return kept, encode_cursor(statements.parts, kept[-1])
