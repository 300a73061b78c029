"""Query specs carry no SQL, validate themselves, and cursors round-trip."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

import pytest

from shared_infrastructure.domain.query import (
    Cursor,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    Page,
    QuerySpec,
    escape_like,
)


class Colour(Enum):
    RED = "red"


def test_query_spec_defaults() -> None:
    spec = QuerySpec()
    assert (spec.limit, spec.offset, spec.after, spec.keyset) == (50, 0, None, False)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"limit": 0}, "limit"), ({"offset": -1}, "offset"), ({"after": "x", "offset": 5}, "offset")],
)
def test_query_spec_validation(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        QuerySpec(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_keyset_spec() -> None:
    assert QuerySpec(after="abc").keyset


@pytest.mark.parametrize(
    ("op", "value"),
    [(Op.IN, "abc"), (Op.IN, 3), (Op.IS_NULL, "yes"), (Op.LIKE, 3), (Op.ILIKE, None)],
)
def test_filter_validation(op: Op, value: object) -> None:
    with pytest.raises(InvalidQuery) as caught:
        Filter("name", op, value)
    assert caught.value.field == "name"


def test_like_patterns_are_escaped_unless_raw() -> None:
    assert Filter("name", Op.LIKE, "50%_off").like_pattern() == "%50\\%\\_off%"
    assert Filter("name", Op.LIKE, "a%", raw=True).like_pattern() == "a%"
    assert escape_like("a\\b") == "a\\\\b"


def test_ordering_parse() -> None:
    assert Ordering.parse("-created_at") == Ordering("created_at", True)
    assert Ordering.parse("name") == Ordering("name", False)


def test_cursor_round_trip_keeps_types() -> None:
    values = (
        datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        date(2030, 1, 2),
        Decimal("12.50"),
        "text",
        7,
        None,
    )
    decoded = Cursor.decode(Cursor(values).encode(), len(values))
    assert decoded.values == values


def test_cursor_encodes_enums_by_value() -> None:
    assert Cursor.decode(Cursor((Colour.RED,)).encode(), 1).values == ("red",)


@pytest.mark.parametrize("token", ["***", "bm90IGpzb24", "e30"])
def test_malformed_cursor(token: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        Cursor.decode(token, 1)
    assert caught.value.field == "after"


@pytest.mark.parametrize("value", [{"uuid": "zzz"}, {"dt": "nope"}, {"d": "x"}, {"dec": "a"}])
def test_a_cursor_with_a_malformed_value_is_refused(value: object) -> None:
    """Valid base64 and JSON, but a value that cannot be read back."""
    payload = json.dumps(["PROD001", value]).encode()
    token = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    with pytest.raises(InvalidQuery, match="malformed cursor") as caught:
        Cursor.decode(token, 2)
    assert caught.value.field == "after"


def test_cursor_for_another_ordering_is_refused() -> None:
    token = Cursor((1, 2)).encode()
    with pytest.raises(InvalidQuery, match="does not match"):
        Cursor.decode(token, 3)


def test_page_is_iterable_and_sized() -> None:
    page = Page([1, 2, 3], total=10, limit=3)
    assert list(page) == [1, 2, 3]
    assert len(page) == 3
