"""Keyset pagination (``paginate``) and domain query specs (``find``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from shared_infrastructure.database.repository import (
    BaseRepository,
    InvalidFilter,
    SyncBaseRepository,
    UnknownField,
)
from shared_infrastructure.domain.query import (
    Cursor,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    Page,
    QuerySpec,
)

from .repo_models import Colour, Item, Token, User

COUNT = 23


@pytest.fixture
def items(session: Session) -> SyncBaseRepository[Item]:
    repo = SyncBaseRepository(Item, session)
    repo.create_many(
        [
            {
                "sku": f"S{index:02d}",
                "name": f"item {index}",
                "qty": index % 4,
                "price": Decimal(index),
                "note": None if index % 3 == 0 else f"n{index % 5}",
                "colour": Colour.GREEN if index % 2 else Colour.RED,
            }
            for index in range(COUNT)
        ]
    )
    return repo


def walk(repo: SyncBaseRepository[Any], **kwargs: Any) -> list[list[Any]]:
    pages: list[list[Any]] = []
    after = None
    while True:
        page = repo.paginate(after=after, **kwargs)
        pages.append(page.items)
        if page.next_cursor is None:
            return pages
        after = page.next_cursor
        assert len(pages) < 100


def test_pages_by_primary_key(items: SyncBaseRepository[Item]) -> None:
    pages = walk(items, limit=5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    skus = [i.sku for p in pages for i in p]
    assert skus == [f"S{i:02d}" for i in range(COUNT)]


def test_exact_multiple_ends_without_an_empty_page(items: SyncBaseRepository[Item]) -> None:
    pages = walk(items, limit=COUNT)
    assert [len(p) for p in pages] == [COUNT]


@pytest.mark.parametrize(
    "order_by",
    [
        "-qty",
        ["qty", "-price"],
        ["-colour", "name"],
        "note",
        "-note",
        ["note", "-qty"],
        ("-note", "qty", "-id"),
    ],
)
def test_every_row_exactly_once_in_order(items: SyncBaseRepository[Item], order_by: Any) -> None:
    expected = items.paginate(limit=1000, order_by=order_by).items
    assert len(expected) == COUNT
    pages = walk(items, limit=4, order_by=order_by)
    assert [i.id for p in pages for i in p] == [i.id for i in expected]


def test_nulls_sort_last_both_ways(items: SyncBaseRepository[Item]) -> None:
    for order_by in ("note", "-note"):
        notes = [i.note for i in items.paginate(limit=1000, order_by=order_by).items]
        first_null = notes.index(None)
        assert all(n is None for n in notes[first_null:])
        present = [n for n in notes if n is not None]
        assert present == sorted(present, reverse=order_by.startswith("-"))


def test_filters_and_total(items: SyncBaseRepository[Item]) -> None:
    page = items.paginate(limit=2, qty=1, with_total=True)
    assert page.total == 6
    assert [i.qty for i in page.items] == [1, 1]
    second = items.paginate(after=page.next_cursor, limit=2, qty=1, with_total=True)
    assert second.total == 6
    assert {i.id for i in page.items}.isdisjoint(i.id for i in second.items)


def test_bad_cursors_and_orderings(items: SyncBaseRepository[Item]) -> None:
    with pytest.raises(InvalidFilter, match="malformed cursor"):
        items.paginate(after="!!not-a-cursor!!")
    other = Cursor((1, 2)).encode()
    with pytest.raises(InvalidFilter, match="does not match"):
        items.paginate(after=other)  # ordered by the key alone: one value
    with pytest.raises(InvalidFilter, match="does not match"):
        items.paginate(after=Cursor((None,)).encode())
    with pytest.raises(InvalidFilter, match="malformed cursor"):
        items.paginate(after=Cursor(("nope", 1)).encode(), order_by="colour")
    with pytest.raises(InvalidFilter, match="field names"):
        items.paginate(order_by=Item.qty.desc())
    with pytest.raises(UnknownField):
        items.paginate(order_by="-nope")
    with pytest.raises(InvalidFilter, match="at least 1"):
        items.paginate(limit=0)
    with pytest.raises(InvalidQuery):  # the web layer's 422
        items.paginate(after="x")


def test_uuid_keys_round_trip_through_cursors(session: Session) -> None:
    repo = SyncBaseRepository(Token, session)
    repo.create_many([{"label": f"t{i % 3}"} for i in range(10)])
    pages = walk(repo, limit=3, order_by="label")
    tokens = [t for p in pages for t in p]
    assert len({t.id for t in tokens}) == 10
    assert [t.label for t in tokens] == sorted(t.label for t in tokens)


async def test_async_paginate_hides_soft_deleted(async_session: AsyncSession) -> None:
    repo = BaseRepository(User, async_session)
    users = await repo.create_many(
        [{"name": f"u{i}", "email": f"u{i}@example.com"} for i in range(7)]
    )
    await repo.delete(users[2].id)
    seen: list[str] = []
    after = None
    while True:
        page = await repo.paginate(after=after, limit=2, order_by="-created_at")
        seen += [u.name for u in page]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(f"u{i}" for i in range(7) if i != 2)
    everything = await repo.paginate(limit=10, include_deleted=True)
    assert len(everything) == 7


# -- QuerySpec ---------------------------------------------------------------------


def test_find_with_offset_and_total(items: SyncBaseRepository[Item]) -> None:
    spec = QuerySpec(
        filters=(Filter("qty", Op.GE, 2),),
        order_by=(Ordering("price", descending=True),),
        limit=3,
        offset=2,
    )
    page = items.find(spec)
    assert isinstance(page, Page)
    assert page.total == 11
    assert [i.price for i in page.items] == [Decimal(18), Decimal(15), Decimal(14)]
    assert page.offset == 2
    rest = items.find(
        QuerySpec(filters=spec.filters, order_by=spec.order_by, limit=50, after=page.next_cursor)
    )
    assert [i.price for i in rest.items][:2] == [Decimal(11), Decimal(10)]
    assert len(rest) == 11 - 5
    assert rest.next_cursor is None


def test_find_with_cursor(items: SyncBaseRepository[Item]) -> None:
    first = items.find(QuerySpec(order_by=(Ordering.parse("-qty"),), limit=10, with_total=False))
    assert first.total is None
    assert first.next_cursor is not None
    rest = items.find(
        QuerySpec(order_by=(Ordering.parse("-qty"),), limit=50, after=first.next_cursor)
    )
    assert len(first) + len(rest) == COUNT
    assert rest.next_cursor is None


def test_find_rejects_unknown_fields(items: SyncBaseRepository[Item]) -> None:
    with pytest.raises(UnknownField):
        items.find(QuerySpec(filters=(Filter("secret", Op.EQ, 1),)))
    with pytest.raises(UnknownField):
        items.find(QuerySpec(order_by=(Ordering("secret"),)))


async def test_find_async(async_session: AsyncSession) -> None:
    repo = BaseRepository(Item, async_session)
    await repo.create_many([{"sku": f"A{i}", "name": f"n{i}", "qty": i} for i in range(5)])
    page = await repo.find(QuerySpec(filters=(Filter("name", Op.LIKE, "n"),), limit=2))
    assert page.total == 5
    assert [i.qty for i in page] == [0, 1]
