"""Query specs on a NULLABLE field: NULLs sort last in both directions, on
every database and in the in-memory fake, and keyset pages cover every row
once; filter and cursor values of the wrong type are refused before SQL."""

from __future__ import annotations

from typing import Any

import pytest

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.domain import Filter, InvalidQuery, Op, Ordering, QuerySpec
from shared_infrastructure.domain.query import Cursor

from .labelled_model import FakeTagUnitOfWork, Tag, TagUnitOfWork

LABELS = ["b", None, "a", None, "c"]
RANKS = [1, 2, 1, 1, 2]


def _tags() -> list[Tag]:
    return [
        Tag(f"t{index}", label, rank)
        for index, (label, rank) in enumerate(zip(LABELS, RANKS, strict=True))
    ]


@pytest.fixture
async def tags(database: AsyncDatabase) -> AsyncDatabase:
    async with TagUnitOfWork(database) as uow:
        for tag in _tags():
            await uow.tags.add(tag)
        await uow.commit()
    return database


@pytest.fixture
async def fake_storage() -> dict[Any, Tag]:
    storage: dict[Any, Tag] = {}
    async with FakeTagUnitOfWork(storage) as uow:
        for tag in _tags():
            await uow.tags.add(tag)
        await uow.commit()
    return storage


async def _walk(uow: TagUnitOfWork | FakeTagUnitOfWork, spec: QuerySpec) -> list[str]:
    """Every page after the first through its predecessor's cursor."""
    seen: list[str] = []
    after = None
    for _ in range(20):
        page = await uow.tags.list(
            QuerySpec(order_by=spec.order_by, limit=spec.limit, after=after, with_total=False)
        )
        seen += [tag.id for tag in page]
        if page.next_cursor is None:
            return seen
        after = page.next_cursor
    raise AssertionError(f"no last page: {seen}")


ORDERINGS = {
    "label": ((Ordering("label"),), ["t2", "t0", "t4", "t1", "t3"]),
    "-label": ((Ordering("label", descending=True),), ["t4", "t0", "t2", "t1", "t3"]),
    "-label,-rank": (
        (Ordering("label", descending=True), Ordering("rank", descending=True)),
        ["t4", "t0", "t2", "t1", "t3"],
    ),
    "rank,-label": (
        (Ordering("rank"), Ordering("label", descending=True)),
        ["t0", "t2", "t3", "t4", "t1"],
    ),
}


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.parametrize("name", list(ORDERINGS))
async def test_keyset_pages_on_a_nullable_field_match_the_fake(
    tags: AsyncDatabase, fake_storage: dict[Any, Tag], name: str, limit: int
) -> None:
    order_by, expected = ORDERINGS[name]
    spec = QuerySpec(order_by=order_by, limit=limit)
    async with TagUnitOfWork(tags) as uow:
        from_sql = await _walk(uow, spec)
    async with FakeTagUnitOfWork(fake_storage) as fake:
        from_fake = await _walk(fake, spec)
    assert from_sql == expected
    assert from_fake == expected


@pytest.mark.parametrize("name", list(ORDERINGS))
async def test_one_page_orders_nulls_last_like_the_fake(
    tags: AsyncDatabase, fake_storage: dict[Any, Tag], name: str
) -> None:
    order_by, expected = ORDERINGS[name]
    spec = QuerySpec(order_by=order_by, limit=10)
    async with TagUnitOfWork(tags) as uow:
        from_sql = [tag.id for tag in await uow.tags.list(spec)]
    async with FakeTagUnitOfWork(fake_storage) as fake:
        from_fake = [tag.id for tag in await fake.tags.list(spec)]
    assert from_sql == from_fake == expected


async def test_a_cursor_on_a_null_value_continues_among_the_nulls(tags: AsyncDatabase) -> None:
    async with TagUnitOfWork(tags) as uow:
        page = await uow.tags.list(QuerySpec(order_by=(Ordering("label"),), limit=4))
        assert [tag.label for tag in page] == ["a", "b", "c", None]
        rest = await uow.tags.list(
            QuerySpec(order_by=(Ordering("label"),), limit=4, after=page.next_cursor)
        )
    assert [tag.id for tag in rest] == ["t3"]
    assert rest.next_cursor is None


# -- values of the wrong type --------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        Filter("rank", Op.GT, "abc"),
        Filter("rank", Op.EQ, "abc"),
        Filter("rank", Op.NE, 1.5j),
        Filter("rank", Op.IN, [1, "abc"]),
        Filter("rank", Op.LT, None),
        Filter("label", Op.EQ, 5),
        Filter("label", Op.GE, ["a"]),
    ],
    ids=repr,
)
async def test_filter_values_of_the_wrong_type_are_refused(
    tags: AsyncDatabase, bad: Filter
) -> None:
    async with TagUnitOfWork(tags) as uow:
        with pytest.raises(InvalidQuery) as caught:
            await uow.tags.list(QuerySpec(filters=(bad,)))
    assert caught.value.field == bad.field
    assert repr(bad.field) in caught.value.message


@pytest.mark.parametrize(
    "bad",
    [
        Filter("rank", Op.GE, "2"),
        Filter("rank", Op.EQ, "2"),
        Filter("rank", Op.IN, ["2", 5]),
        Filter("label", Op.EQ, 5),
    ],
    ids=repr,
)
async def test_sql_and_the_fake_refuse_a_value_of_another_family_alike(
    tags: AsyncDatabase, fake_storage: dict[Any, Tag], bad: Filter
) -> None:
    """Text is not parsed into a number (nor a number into text) on either
    side: the fake cannot know the column's type, so SQL does not guess."""
    async with TagUnitOfWork(tags) as uow:
        with pytest.raises(InvalidQuery) as from_sql:
            await uow.tags.list(QuerySpec(filters=(bad,)))
    async with FakeTagUnitOfWork(fake_storage) as fake:
        with pytest.raises(InvalidQuery) as from_fake:
            await fake.tags.list(QuerySpec(filters=(bad,)))
    assert from_sql.value.field == from_fake.value.field == bad.field


async def test_well_typed_values_give_the_same_rows_from_sql_and_the_fake(
    tags: AsyncDatabase, fake_storage: dict[Any, Tag]
) -> None:
    spec = QuerySpec(filters=(Filter("rank", Op.IN, [2, 5]),), order_by=(Ordering("rank"),))
    async with TagUnitOfWork(tags) as uow:
        from_sql = [tag.id for tag in await uow.tags.list(spec)]
    async with FakeTagUnitOfWork(fake_storage) as fake:
        from_fake = [tag.id for tag in await fake.tags.list(spec)]
    assert from_sql == from_fake
    assert from_sql


@pytest.mark.parametrize("values", [("abc", "t1"), ([1], "t1"), (1, 2)], ids=repr)
async def test_a_tampered_cursor_is_refused(tags: AsyncDatabase, values: tuple[Any, ...]) -> None:
    after = Cursor(values).encode()
    async with TagUnitOfWork(tags) as uow:
        with pytest.raises(InvalidQuery, match="cursor") as caught:
            await uow.tags.list(QuerySpec(order_by=(Ordering("rank"),), limit=2, after=after))
    assert caught.value.field == "after"
