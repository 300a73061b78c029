"""The in-memory fake orders NULLs as the SQL adapters do: last, in both
directions, and its keyset cursors walk through them."""

from __future__ import annotations

from typing import Any

import pytest

from shared_infrastructure.application.fakes import apply_spec
from shared_infrastructure.domain import Filter, InvalidQuery, Op, Ordering, QuerySpec


class Row:
    def __init__(self, id: str, label: str | None, rank: int) -> None:
        self.id = id
        self.label = label
        self.rank = rank


ROWS = [Row("t0", "b", 1), Row("t1", None, 2), Row("t2", "a", 1), Row("t3", None, 1)]
FIELDS = frozenset({"label", "rank"})


def _ids(spec: QuerySpec) -> list[str]:
    return [row.id for row in apply_spec(ROWS, spec, FIELDS)]


def _walk(order_by: tuple[Ordering, ...], limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = apply_spec(ROWS, QuerySpec(order_by=order_by, limit=limit, after=after), FIELDS)
        seen += [row.id for row in page]
        if page.next_cursor is None:
            return seen
        after = page.next_cursor
    raise AssertionError(seen)


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ((Ordering("label"),), ["t2", "t0", "t1", "t3"]),
        ((Ordering("label", descending=True),), ["t0", "t2", "t1", "t3"]),
        ((Ordering("label"), Ordering("rank", descending=True)), ["t2", "t0", "t1", "t3"]),
        ((Ordering("rank", descending=True), Ordering("label")), ["t1", "t2", "t0", "t3"]),
    ],
)
@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_nulls_last_both_ways_and_cursors_walk_through_them(
    order_by: tuple[Ordering, ...], expected: list[str], limit: int
) -> None:
    assert _ids(QuerySpec(order_by=order_by)) == expected
    assert _walk(order_by, limit) == expected


def test_equality_with_none_is_is_null_as_in_sql() -> None:
    assert _ids(QuerySpec(filters=(Filter("label", Op.EQ, None),))) == ["t1", "t3"]
    assert _ids(QuerySpec(filters=(Filter("label", Op.NE, None),))) == ["t0", "t2"]


@pytest.mark.parametrize(
    "bad", [Filter("label", Op.LT, None), Filter("rank", Op.GT, "abc")], ids=repr
)
def test_uncomparable_values_are_refused(bad: Filter) -> None:
    with pytest.raises(InvalidQuery) as caught:
        _ids(QuerySpec(filters=(bad,)))
    assert caught.value.field == bad.field


def test_a_tampered_cursor_is_refused() -> None:
    from shared_infrastructure.domain.query import Cursor

    after: Any = Cursor(("abc", "t1")).encode()
    with pytest.raises(InvalidQuery, match="cursor"):
        _ids(QuerySpec(order_by=(Ordering("rank"),), after=after))
