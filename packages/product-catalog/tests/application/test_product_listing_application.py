"""Listing, filtering, searching and paging through the fakes."""

from decimal import Decimal

import pytest

from product_catalog.application import MAX_OFFSET, ProductListQuery, ProductService
from product_catalog.application.fakes import (
    FakeProductCatalogUnitOfWork,
    InMemoryProductStore,
)
from product_catalog.domain import ProductStatus
from shared_infrastructure.domain import InvalidQuery

PRODUCTS = [
    ("PROD001", "Blue widget", "10.00", "EUR"),
    ("PROD002", "Red widget", "20.00", "EUR"),
    ("PROD003", "Gadget 100%", "30.00", "EUR"),
    ("PROD004", "Gadget_mini", "5.00", "USD"),
    ("PROD005", "Green WIDGET", "15.00", "EUR"),
]


@pytest.fixture
async def service() -> ProductService:
    store = InMemoryProductStore()
    service = ProductService(lambda: FakeProductCatalogUnitOfWork(store))
    for code, name, amount, currency in PRODUCTS:
        await service.create(code=code, name=name, price_amount=amount, price_currency=currency)
    await service.activate((await service.get_by_code("PROD002")).id)
    await service.discontinue((await service.get_by_code("PROD003")).id)
    return service


async def codes(service: ProductService, query: ProductListQuery) -> list[str]:
    return [item.code for item in (await service.list(query)).items]


async def test_default_listing_is_by_code_with_total(service: ProductService) -> None:
    page = await service.list()
    assert [item.code for item in page.items] == [p[0] for p in PRODUCTS]
    assert (page.total, page.limit, page.offset) == (5, 20, 0)


async def test_filter_by_status(service: ProductService) -> None:
    assert await codes(service, ProductListQuery(status=[ProductStatus.DRAFT])) == [
        "PROD001",
        "PROD004",
        "PROD005",
    ]
    both = ProductListQuery(status=[ProductStatus.ACTIVE, ProductStatus.DISCONTINUED])
    assert await codes(service, both) == ["PROD002", "PROD003"]


async def test_name_search_ignores_case_and_takes_wildcards_literally(
    service: ProductService,
) -> None:
    assert await codes(service, ProductListQuery(name="widget")) == [
        "PROD001",
        "PROD002",
        "PROD005",
    ]
    assert await codes(service, ProductListQuery(name="%")) == ["PROD003"]
    assert await codes(service, ProductListQuery(name="_")) == ["PROD004"]


async def test_search_by_name_sorts_by_name(service: ProductService) -> None:
    page = await service.search_by_name("WIDGET")
    assert [item.name for item in page.items] == ["Blue widget", "Green WIDGET", "Red widget"]


async def test_price_range_and_currency(service: ProductService) -> None:
    query = ProductListQuery(min_price=Decimal("10"), max_price=Decimal("20"), currency="EUR")
    assert await codes(service, query) == ["PROD001", "PROD002", "PROD005"]


async def test_sorting_descending_by_price(service: ProductService) -> None:
    query = ProductListQuery(sort=["-price"])
    assert await codes(service, query) == ["PROD003", "PROD002", "PROD005", "PROD001", "PROD004"]


async def test_offset_pagination(service: ProductService) -> None:
    page = await service.list(ProductListQuery(limit=2, offset=2))
    assert [item.code for item in page.items] == ["PROD003", "PROD004"]
    assert page.total == 5


async def test_cursor_pagination_visits_every_product_once(service: ProductService) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = await service.list(ProductListQuery(limit=2, sort=["name"], cursor=cursor))
        seen.extend(item.code for item in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == [p[0] for p in PRODUCTS]
    assert len(seen) == len(PRODUCTS)


@pytest.mark.parametrize(
    "query",
    [
        ProductListQuery(sort=["colour"]),
        ProductListQuery(limit=0),
        ProductListQuery(limit=101),
        ProductListQuery(offset=-1),
        ProductListQuery(min_price=Decimal("5"), max_price=Decimal("1")),
        ProductListQuery(cursor="garbage!"),
    ],
)
async def test_bad_queries_are_refused(service: ProductService, query: ProductListQuery) -> None:
    with pytest.raises(InvalidQuery):
        await service.list(query)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (ProductListQuery(offset=MAX_OFFSET + 1), "offset"),
        (ProductListQuery(offset=10**20), "offset"),
        (ProductListQuery(currency="zz"), "currency"),
        (ProductListQuery(currency="usd"), "currency"),
        (ProductListQuery(currency="EURO"), "currency"),
        (ProductListQuery(name="a\x00b"), "name"),
        (ProductListQuery(name="\x1b[31m"), "name"),
    ],
)
async def test_out_of_range_offsets_bad_currencies_and_control_characters_name_the_field(
    service: ProductService, query: ProductListQuery, field: str
) -> None:
    with pytest.raises(InvalidQuery) as error:
        await service.list(query)
    assert error.value.field == field


async def test_the_deepest_offset_allowed_is_an_empty_page(service: ProductService) -> None:
    page = await service.list(ProductListQuery(offset=MAX_OFFSET))
    assert (page.items, page.total) == ([], 5)
