"""Query specs through the repository adapter: filters, ordering, pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.domain import Filter, InvalidQuery, Op, Ordering, QuerySpec

from .order_model import Order, OrderUnitOfWork

NAMES = ["alpha", "beta", "gamma", "100%_sure", "100 sure", "delta"]


@pytest.fixture
async def orders(database: AsyncDatabase) -> AsyncDatabase:
    async with OrderUnitOfWork(database) as uow:
        for index, name in enumerate(NAMES):
            await uow.orders.add(Order(f"o{index}", name, Decimal(index * 10)))
        await uow.commit()
    return database


async def _names(database: AsyncDatabase, spec: QuerySpec) -> list[str]:
    async with OrderUnitOfWork(database) as uow:
        return [order.name for order in await uow.orders.list(spec)]


async def test_filters_and_ordering(orders: AsyncDatabase) -> None:
    spec = QuerySpec(
        filters=(Filter("total", Op.GE, Decimal(20)), Filter("name", Op.NE, "delta")),
        order_by=(Ordering("total", descending=True),),
    )
    assert await _names(orders, spec) == ["100 sure", "100%_sure", "gamma"]


async def test_like_escapes_wildcards(orders: AsyncDatabase) -> None:
    literal = QuerySpec(filters=(Filter("name", Op.LIKE, "100%_"),))
    assert await _names(orders, literal) == ["100%_sure"]
    raw = QuerySpec(
        filters=(Filter("name", Op.LIKE, "100%", raw=True),), order_by=(Ordering("name"),)
    )
    assert await _names(orders, raw) == ["100 sure", "100%_sure"]


async def test_like_keeps_case_apart_as_the_fakes_do(orders: AsyncDatabase) -> None:
    """SQLite's own LIKE ignores case; ``Op.LIKE`` must not, on any database."""
    assert await _names(orders, QuerySpec(filters=(Filter("name", Op.LIKE, "ALP"),))) == []
    assert await _names(orders, QuerySpec(filters=(Filter("name", Op.LIKE, "alp"),))) == ["alpha"]


async def test_ilike_and_in(orders: AsyncDatabase) -> None:
    assert await _names(orders, QuerySpec(filters=(Filter("name", Op.ILIKE, "ALP"),))) == ["alpha"]
    spec = QuerySpec(
        filters=(Filter("name", Op.IN, ["beta", "delta", "zzz"]),), order_by=(Ordering("name"),)
    )
    assert await _names(orders, spec) == ["beta", "delta"]


async def test_offset_pages_report_the_total(orders: AsyncDatabase) -> None:
    async with OrderUnitOfWork(orders) as uow:
        page = await uow.orders.list(QuerySpec(order_by=(Ordering("name"),), limit=2, offset=2))
    assert page.total == len(NAMES)
    assert [o.name for o in page] == ["alpha", "beta"]


async def test_keyset_pages_cover_every_row_once(orders: AsyncDatabase) -> None:
    seen: list[str] = []
    after = None
    async with OrderUnitOfWork(orders) as uow:
        while True:
            spec = QuerySpec(
                order_by=(Ordering("total", descending=True),),
                limit=4,
                after=after,
                with_total=False,
            )
            page = await uow.orders.list(spec)
            seen += [o.id for o in page]
            if page.next_cursor is None:
                break
            after = page.next_cursor
    assert seen == [f"o{i}" for i in reversed(range(len(NAMES)))]


async def test_unknown_field_is_rejected_before_sql(orders: AsyncDatabase) -> None:
    async with OrderUnitOfWork(orders) as uow:
        with pytest.raises(InvalidQuery, match="unknown field 'secret'") as caught:
            await uow.orders.list(QuerySpec(filters=(Filter("secret", Op.EQ, 1),)))
    assert caught.value.field == "secret"


async def test_malformed_cursor_is_rejected(orders: AsyncDatabase) -> None:
    async with OrderUnitOfWork(orders) as uow:
        with pytest.raises(InvalidQuery, match="cursor"):
            await uow.orders.list(QuerySpec(after="not-a-cursor"))
