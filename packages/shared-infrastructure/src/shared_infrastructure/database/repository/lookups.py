"""``field__lookup=value`` keyword filters, checked against the model, turned
into SQLAlchemy expressions.

======================  ==============================================  =====
key                     SQL                                             value
======================  ==============================================  =====
``name`` / ``name__eq``  ``name = :v`` (``IS NULL`` for ``None``)
``name__ne``            ``name != :v`` (``IS NOT NULL`` for ``None``)
``age__lt`` ``__lte``   ``<`` ``<=`` ``>`` ``>=``                        not None
``__gt`` ``__gte``
``id__in``              ``IN (...)``; ``= ANY(:array)`` for long lists    a list
``id__not_in``          ``NOT IN (...)``                                a list
``name__like``          ``LIKE '%' || v || '%'`` with ``%`` ``_`` ``\\``  text
                        escaped: the text is matched literally
``name__ilike``         the same, case-insensitive                      text
``name__startswith``    ``LIKE v || '%'`` (escaped)                     text
``name__endswith``      ``LIKE '%' || v`` (escaped)                     text
``name__isnull``        ``IS NULL`` / ``IS NOT NULL``                   bool
======================  ==============================================  =====

Raw patterns: wrap the value in :class:`RawPattern` (``name__like=RawPattern("J_n%")``)
and ``%``/``_`` are wildcards again (``\\`` still escapes); a domain
:class:`~shared_infrastructure.domain.query.Filter` with ``raw=True`` does the same.

``like``, ``startswith`` and ``endswith`` are case-sensitive on every
database (:func:`~shared_infrastructure.database.text_match.case_sensitive_like`:
``GLOB`` on SQLite, a binary collation on MariaDB); ``ilike`` is
case-insensitive everywhere.

Keys are resolved against the model's mapped *columns only*: an unknown
field raises :class:`UnknownField`, an unknown lookup :class:`UnknownLookup`,
both naming the offending key and what is allowed, before any SQL is built.

Values are checked against the column's Python type (:func:`value_coercer`)
so every database sees the same thing: ``id__gt="abc"`` raises
:class:`InvalidFilter` instead of matching nothing (SQLite), everything
(MariaDB) or failing in the database (PostgreSQL). Unambiguous text is
converted: ``"5"`` for an integer, ``"1.5"`` for a number, ISO dates and
times, UUIDs, enum values or names.
Nothing from a key is ever put into SQL text: a key only selects an
attribute object and an operator function. Parsed keys are cached per model
class (only valid ones, so the cache is bounded by columns x lookups).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum as PyEnum
from numbers import Real
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    Numeric,
    String,
    Uuid,
    any_,
    bindparam,
    false,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from shared_infrastructure.database.repository.bounds import OutOfBounds, bounded
from shared_infrastructure.database.repository.errors import (
    InvalidFilter,
    UnknownField,
    UnknownLookup,
)
from shared_infrastructure.database.repository.mapping import Attribute, ModelInfo
from shared_infrastructure.database.text_match import case_sensitive_like
from shared_infrastructure.database.types import UtcDateTime
from shared_infrastructure.domain.query import LIKE_ESCAPE, Filter, Op, escape_like

LOOKUP_SEPARATOR = "__"

#: ``IN`` lists longer than this become ``= ANY(:array)`` on PostgreSQL: one
#: bind parameter instead of one per value (no driver parameter limit, and
#: about 3x less time for 10,000 ids than an expanded ``IN``).
PG_ANY_THRESHOLD = 100


class RawPattern(str):
    """A LIKE pattern used as given: ``%`` and ``_`` are wildcards."""

    __slots__ = ()


Condition = ColumnElement[bool]
Builder = Callable[[Attribute, Any, str], Condition]


# -- operators ---------------------------------------------------------------


def _eq(column: Attribute, value: Any, _dialect: str) -> Condition:
    return column.is_(None) if value is None else column == value


def _ne(column: Attribute, value: Any, _dialect: str) -> Condition:
    return column.is_not(None) if value is None else column != value


def _lt(column: Attribute, value: Any, _dialect: str) -> Condition:
    condition: Condition = column < value
    return condition


def _lte(column: Attribute, value: Any, _dialect: str) -> Condition:
    condition: Condition = column <= value
    return condition


def _gt(column: Attribute, value: Any, _dialect: str) -> Condition:
    condition: Condition = column > value
    return condition


def _gte(column: Attribute, value: Any, _dialect: str) -> Condition:
    condition: Condition = column >= value
    return condition


_ARRAY_SAFE = (Integer, String, Uuid, Numeric, Boolean, Date, DateTime)


def _array_safe(column: Attribute) -> bool:
    column_type = column.type
    return isinstance(column_type, _ARRAY_SAFE) and not isinstance(column_type, Enum)


def _in(column: Attribute, values: Sequence[Any], dialect: str) -> Condition:
    if not values:
        return false()
    if dialect == "postgresql" and len(values) > PG_ANY_THRESHOLD and _array_safe(column):
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def _not_in(column: Attribute, values: Sequence[Any], dialect: str) -> Condition:
    if not values:
        return true()
    return ~_in(column, values, dialect)


def _pattern(value: str, prefix: str, suffix: str) -> str:
    if isinstance(value, RawPattern):
        return str(value)
    return f"{prefix}{escape_like(value)}{suffix}"


def _like(column: Attribute, value: str, _dialect: str) -> Condition:
    return case_sensitive_like(column, _pattern(value, "%", "%"))


def _ilike(column: Attribute, value: str, _dialect: str) -> Condition:
    return column.ilike(_pattern(value, "%", "%"), escape=LIKE_ESCAPE)


def _startswith(column: Attribute, value: str, _dialect: str) -> Condition:
    return case_sensitive_like(column, _pattern(value, "", "%"))


def _endswith(column: Attribute, value: str, _dialect: str) -> Condition:
    return case_sensitive_like(column, _pattern(value, "%", ""))


def _isnull(column: Attribute, value: bool, _dialect: str) -> Condition:
    return column.is_(None) if value else column.is_not(None)


@dataclass(frozen=True, slots=True)
class Lookup:
    name: str
    build: Builder
    kind: str  # "any", "ordered" (no None), "list", "text", "bool"


LOOKUPS: dict[str, Lookup] = {
    lookup.name: lookup
    for lookup in (
        Lookup("eq", _eq, "any"),
        Lookup("ne", _ne, "any"),
        Lookup("lt", _lt, "ordered"),
        Lookup("lte", _lte, "ordered"),
        Lookup("gt", _gt, "ordered"),
        Lookup("gte", _gte, "ordered"),
        Lookup("in", _in, "list"),
        Lookup("not_in", _not_in, "list"),
        Lookup("like", _like, "text"),
        Lookup("ilike", _ilike, "text"),
        Lookup("startswith", _startswith, "text"),
        Lookup("endswith", _endswith, "text"),
        Lookup("isnull", _isnull, "bool"),
    )
}

_FROM_OP: dict[Op, str] = {
    Op.EQ: "eq",
    Op.NE: "ne",
    Op.LT: "lt",
    Op.LE: "lte",
    Op.GT: "gt",
    Op.GE: "gte",
    Op.IN: "in",
    Op.LIKE: "like",
    Op.ILIKE: "ilike",
    Op.IS_NULL: "isnull",
}


# -- values ------------------------------------------------------------------

Coercer = Callable[[Any], Any]
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


class BadValue(ValueError):
    """A value that is not of (and cannot be read as) a column's type."""

    def __init__(self, value: Any, expected: str) -> None:
        super().__init__(f"{value!r} is not {expected}")
        self.value = value
        self.expected = expected


def _is_number(value: Any) -> bool:
    return isinstance(value, Real | Decimal) and not isinstance(value, bool)


def _integer(value: Any) -> Any:
    if type(value) is int or _is_number(value):
        return value
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value)
    raise BadValue(value, "an integer")


def _numeric(as_decimal: bool) -> Coercer:
    def coerce(value: Any) -> Any:
        if _is_number(value):
            return value
        if isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                return number if as_decimal else float(number)
        raise BadValue(value, "a number")

    return coerce


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise BadValue(value, "true or false")


def _datetime(value: Any) -> Any:
    if isinstance(value, date):  # a datetime, or a date (midnight)
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadValue(value, "a date and time (ISO 8601)")


def _date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadValue(value, "a date (ISO 8601)")


def _uuid(as_uuid: bool) -> Coercer:
    def coerce(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return value if as_uuid else str(value)
        if isinstance(value, str):
            try:
                parsed = uuid.UUID(value.strip())
            except ValueError:
                pass
            else:
                return parsed if as_uuid else value
        raise BadValue(value, "a UUID")

    return coerce


def _string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, PyEnum) and isinstance(value.value, str):
        return value.value
    raise BadValue(value, "text")


def _enum(column_type: Enum) -> Coercer:
    enum_class: type[PyEnum] | None = column_type.enum_class
    allowed = ", ".join(repr(e) for e in column_type.enums)
    expected = f"one of {allowed}"

    def coerce(value: Any) -> Any:
        if enum_class is None:
            if isinstance(value, str) and value in column_type.enums:
                return value
            raise BadValue(value, expected)
        if isinstance(value, enum_class):
            return value
        try:
            return enum_class(value)  # by value (what cursors carry)
        except (ValueError, TypeError):
            pass
        if isinstance(value, str) and value in enum_class.__members__:
            return enum_class[value]  # by name (what a non-native enum stores)
        raise BadValue(value, expected)

    return coerce


def value_coercer(column: Attribute | ColumnElement[Any]) -> Coercer | None:
    """A function returning a value as the column's Python type (converting
    unambiguous text) or raising :class:`BadValue`, also for a value the
    column cannot hold (out of range, not finite, NUL, lone surrogate: see
    :mod:`.bounds`); ``None`` for types that are not checked (JSON, binary,
    custom types...). ``None`` values are the caller's business (``IS NULL``)."""
    coerce = _type_coercer(column.type)
    if coerce is None:
        return None
    column_type = column.type.impl if isinstance(column.type, UtcDateTime) else column.type
    check = bounded(column_type, coerce)

    def coerce_within_bounds(value: Any) -> Any:
        try:
            return check(value)
        except OutOfBounds as error:
            raise BadValue(value, error.expected) from None

    return coerce_within_bounds


def _type_coercer(column_type: TypeEngine[Any]) -> Coercer | None:
    if isinstance(column_type, UtcDateTime):
        return _datetime
    if isinstance(column_type, TypeDecorator):
        return None  # a custom type takes its own values (e.g. a value object)
    if isinstance(column_type, Enum):  # before String: an Enum is a String
        return _enum(column_type)
    if isinstance(column_type, Boolean):
        return _boolean
    if isinstance(column_type, Integer):
        return _integer
    if isinstance(column_type, Numeric):  # Float too
        return _numeric(bool(column_type.asdecimal))
    if isinstance(column_type, DateTime):
        return _datetime
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, Uuid):
        return _uuid(bool(column_type.as_uuid))
    if isinstance(column_type, String):
        return _string
    return None


def coerce_values(coerce: Coercer, values: Iterable[Any]) -> list[Any]:
    return [value if value is None else coerce(value) for value in values]


# -- parsing -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    """One parsed, validated ``key=value``: build it with :meth:`expression`."""

    key: str
    field: str
    column: Attribute
    lookup: Lookup
    value: Any

    def expression(self, dialect: str) -> Condition:
        return self.lookup.build(self.column, self.value, dialect)

    def with_value(self, value: Any) -> Criterion:
        return replace(self, value=value)


def resolve_key(info: ModelInfo[Any], key: str) -> tuple[str, Attribute, Lookup]:
    """``"age__gte"`` -> (``"age"``, ``Model.age``, the ``gte`` lookup)."""
    cached: tuple[str, Attribute, Lookup] | None = info.lookups.get(key)
    if cached is not None:
        return cached
    columns = info.columns
    if key in columns:
        resolved = (key, columns[key], LOOKUPS["eq"])
    else:
        field, separator, lookup_name = key.rpartition(LOOKUP_SEPARATOR)
        if not separator or field not in columns:
            name = field if separator and field else key
            raise UnknownField(info.entity, name, columns, key=key)
        lookup = LOOKUPS.get(lookup_name)
        if lookup is None:
            raise UnknownLookup(key, lookup_name, LOOKUPS)
        resolved = (field, columns[field], lookup)
    info.lookups[key] = resolved
    return resolved


def _coerced(
    info: ModelInfo[Any], key: str, field: str, column: Attribute, value: Any, many: bool
) -> Any:
    coerce = value_coercer(column)
    if coerce is None:
        return list(value) if many else value
    try:
        return coerce_values(coerce, value) if many else coerce(value)
    except BadValue as error:
        raise InvalidFilter(
            f"{key!r}: {error.value!r} is not a valid value for {info.entity}.{field} "
            f"(expected {error.expected})",
            field=key,
        ) from None


def _checked_value(
    info: ModelInfo[Any], key: str, field: str, lookup: Lookup, value: Any, column: Attribute
) -> Any:
    kind = lookup.kind
    if kind == "list":
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise InvalidFilter(f"{key!r} needs a list of values, got {value!r}", field=key)
        value = _coerced(info, key, field, column, value, many=True)
    elif kind == "text":
        if not isinstance(value, str):
            raise InvalidFilter(f"{key!r} needs text, got {type(value).__name__}", field=key)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise InvalidFilter(f"{key!r} needs true or false, got {value!r}", field=key)
    elif kind == "ordered" and value is None:
        raise InvalidFilter(f"{key!r} cannot compare with None; use __isnull", field=key)
    elif value is not None:  # "any", "ordered"
        value = _coerced(info, key, field, column, value, many=False)
    return value


def parse_lookups(info: ModelInfo[Any], lookups: Mapping[str, Any]) -> list[Criterion]:
    """Validate every key and value; raises before anything is built."""
    criteria = []
    for key, value in lookups.items():
        field, column, lookup = resolve_key(info, key)
        value = _checked_value(info, key, field, lookup, value, column)
        criteria.append(Criterion(key, field, column, lookup, value))
    return criteria


def parse_filter(info: ModelInfo[Any], spec_filter: Filter) -> Criterion:
    """A domain :class:`Filter` (SQL-free) as a :class:`Criterion`."""
    column = info.columns.get(spec_filter.field)
    if column is None:
        raise UnknownField(info.entity, spec_filter.field, info.columns)
    lookup = LOOKUPS[_FROM_OP[spec_filter.op]]
    value = spec_filter.value
    if spec_filter.raw and isinstance(value, str):
        value = RawPattern(value)
    key = f"{spec_filter.field}{LOOKUP_SEPARATOR}{lookup.name}"
    value = _checked_value(info, key, spec_filter.field, lookup, value, column)
    return Criterion(key, spec_filter.field, column, lookup, value)


def check_field(info: ModelInfo[Any], name: str) -> Attribute:
    """The column attribute called ``name`` or :class:`UnknownField`."""
    column = info.columns.get(name)
    if column is None:
        raise UnknownField(info.entity, name, info.columns)
    return column
