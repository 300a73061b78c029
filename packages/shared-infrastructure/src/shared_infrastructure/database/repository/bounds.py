"""What a column can hold, checked before a value is bound to SQL.

A value a column type cannot represent fails differently on each database:
PostgreSQL raises (numeric field overflow, integer out of range, a NUL in
text), MariaDB refuses a NaN, every driver chokes on a lone surrogate,
SQLite may quietly compare anything. :func:`bounded` wraps a coercer so
that such a value is a :class:`BadValue` (a 4xx) on every database, and
before any SQL is sent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Enum, Float, Integer, Numeric, SmallInteger
from sqlalchemy import String as SAString
from sqlalchemy.types import TypeEngine

Coercer = Callable[[Any], Any]


class OutOfBounds(ValueError):
    """A value of the right type that the column cannot hold."""

    def __init__(self, value: Any, expected: str) -> None:
        super().__init__(expected)
        self.value = value
        self.expected = expected


def _integer_range(column_type: TypeEngine[Any]) -> tuple[int, int]:
    if isinstance(column_type, SmallInteger):
        bits = 16
    elif isinstance(column_type, BigInteger):
        bits = 64
    else:
        bits = 32
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _finite(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def _check_integer(column_type: TypeEngine[Any], value: Any) -> None:
    low, high = _integer_range(column_type)
    if not _finite(value) or not low <= value <= high:
        raise OutOfBounds(value, f"a whole number between {low} and {high}")


def _check_numeric(column_type: Numeric[Any], value: Any) -> None:
    if not _finite(value):
        raise OutOfBounds(value, "a finite number")
    if isinstance(column_type, Float):
        if abs(value) > 1.7976931348623157e308:
            raise OutOfBounds(value, "a number within the double-precision range")
        return
    precision, scale = column_type.precision, column_type.scale or 0
    if precision is None:
        return
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    limit = Decimal(10) ** (precision - scale)
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if abs(number) >= limit or places > scale:
        raise OutOfBounds(
            value, f"a number below {limit} in absolute value, with at most {scale} decimal places"
        )


def _check_datetime(value: Any) -> None:
    if isinstance(value, datetime) and value.utcoffset() is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise OutOfBounds(value, "a date and time between years 1 and 9999 in UTC") from None


def _check_text(value: Any) -> None:
    if not isinstance(value, str):
        return
    if "\x00" in value:
        raise OutOfBounds(value, "text without NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise OutOfBounds(value, "valid Unicode text (no lone surrogates)") from None


def checker(column_type: TypeEngine[Any]) -> Callable[[Any], None] | None:
    """The bound check of a column type, or ``None`` when it has none."""
    if isinstance(column_type, Enum):
        return None  # only its own values get through its coercer
    if isinstance(column_type, Integer):
        return lambda value: _check_integer(column_type, value)
    if isinstance(column_type, Numeric):
        return lambda value: _check_numeric(column_type, value)
    if isinstance(column_type, DateTime | Date):
        return _check_datetime
    if isinstance(column_type, SAString):
        return _check_text
    return None


def bounded(column_type: TypeEngine[Any], coerce: Coercer) -> Coercer:
    """``coerce`` followed by the column type's bound check."""
    check = checker(column_type)
    if check is None:
        return coerce

    def coerce_and_check(value: Any) -> Any:
        coerced = coerce(value)
        if isinstance(coerced, bool | str | int | float | Decimal | date):
            check(coerced)
        return coerced

    return coerce_and_check
