"""SQL-free query specifications, shared by the SQL adapters and the fakes.

A ``QuerySpec`` says *what* to fetch in domain vocabulary (field names of the
aggregate, dotted for value objects: ``"price.amount"``); each adapter decides
*how*, and rejects fields it does not expose with ``InvalidQuery``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")

LIKE_ESCAPE = "\\"


class InvalidQuery(ValueError):
    """A query names a field or operator that is not allowed, or a bad cursor."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    LIKE = "like"
    ILIKE = "ilike"
    IS_NULL = "is_null"


@dataclass(frozen=True)
class Filter:
    """``field <op> value``. For LIKE/ILIKE, ``value`` is matched literally as
    a substring unless ``raw=True`` (then ``%`` and ``_`` are wildcards).
    LIKE keeps upper and lower case apart on every adapter; ILIKE ignores it."""

    field: str
    op: Op
    value: Any = None
    raw: bool = False

    def __post_init__(self) -> None:
        if self.op is Op.IN and (
            isinstance(self.value, str | bytes)
            or not isinstance(self.value, Sequence | set | frozenset)
        ):
            raise InvalidQuery(f"'in' on {self.field!r} needs a list of values", field=self.field)
        if self.op is Op.IS_NULL and not isinstance(self.value, bool):
            raise InvalidQuery(f"'is_null' on {self.field!r} needs true or false", field=self.field)
        if self.op in (Op.LIKE, Op.ILIKE) and not isinstance(self.value, str):
            raise InvalidQuery(f"'{self.op.value}' on {self.field!r} needs text", field=self.field)

    def like_pattern(self) -> str:
        """The LIKE pattern to send, escaped with ``LIKE_ESCAPE`` unless raw."""
        text = str(self.value)
        return text if self.raw else f"%{escape_like(text)}%"


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> Ordering:
        """``"name"`` ascending, ``"-name"`` descending."""
        return cls(text[1:], True) if text.startswith("-") else cls(text, False)


@dataclass(frozen=True)
class QuerySpec:
    """Filters (AND-ed), ordering, and either offset or keyset pagination.

    Keyset pagination: pass ``after`` = a previous page's ``next_cursor``;
    ``offset`` must then be 0. Ordering always ends with the identity as a
    tie-breaker so pages never overlap or skip rows.
    """

    filters: tuple[Filter, ...] = ()
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = 50
    offset: int = 0
    after: str | None = None
    with_total: bool = True

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise InvalidQuery("limit must be at least 1", field="limit")
        if self.offset < 0:
            raise InvalidQuery("offset must not be negative", field="offset")
        if self.after is not None and self.offset:
            raise InvalidQuery("use either offset or a cursor, not both", field="offset")

    @property
    def keyset(self) -> bool:
        return self.after is not None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int | None = None
    limit: int | None = None
    offset: int = 0
    next_cursor: str | None = None

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def value_kind(value: Any) -> str | None:
    """The family of a filter value (``"number"``, ``"text"``...), ``None``
    for values that are not checked. The SQL adapter and the in-memory fakes
    both refuse a filter whose value is of another family than the field's,
    e.g. the text ``"5"`` for a number, so that neither converts what the
    other would not."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, uuid.UUID):
        return "uuid"
    return None


def check_kind(field: str, value: Any, expected: Any) -> None:
    """Raise ``InvalidQuery`` when ``value`` and ``expected`` (a value the
    field holds) are of different, known families."""
    given, wanted = value_kind(value), value_kind(expected)
    if given is not None and wanted is not None and given != wanted:
        raise InvalidQuery(f"{field!r} is not a valid value (expected {wanted})", field=field)


def escape_like(text: str, escape: str = LIKE_ESCAPE) -> str:
    """Make ``%``, ``_`` and the escape character match themselves."""
    return (
        text.replace(escape, escape + escape).replace("%", escape + "%").replace("_", escape + "_")
    )


@dataclass(frozen=True)
class Cursor:
    """Position after the last row of a page: its ordering values and id."""

    values: tuple[Any, ...] = field(default_factory=tuple)

    def encode(self) -> str:
        payload = json.dumps([_to_json(v) for v in self.values], separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, expected_length: int) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError) as error:
            raise InvalidQuery("malformed cursor", field="after") from error
        if not isinstance(raw, list) or len(raw) != expected_length:
            raise InvalidQuery("cursor does not match this ordering", field="after")
        try:
            return cls(tuple(_from_json(v) for v in raw))
        except (ValueError, TypeError, ArithmeticError) as error:  # Decimal: InvalidOperation
            raise InvalidQuery("malformed cursor", field="after") from error


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, Enum):
        return _to_json(value.value)
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
        if "uuid" in value:
            return uuid.UUID(value["uuid"])
    return value
