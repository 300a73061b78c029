"""The SQL adapter against a real database (``--db sqlite|postgresql|mariadb``).

Each test runs in a transaction rolled back at its end; units of work
commit to a SAVEPOINT, so what they do is visible to the next one.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from sqlalchemy import select, update

from product_catalog.domain import (
    QUERYABLE_FIELDS,
    Money,
    Product,
    ProductCode,
    ProductStatus,
)
from product_catalog.infrastructure import (
    ProductRecord,
    SqlAlchemyProductCatalogUnitOfWork,
    SqlAlchemyProductRepository,
)
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.domain import (
    ConcurrencyConflict,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    QuerySpec,
)

UowFactory = Callable[[], SqlAlchemyProductCatalogUnitOfWork]


@pytest.fixture
def uow(database: AsyncDatabase) -> UowFactory:
    return lambda: SqlAlchemyProductCatalogUnitOfWork(database)


def product(code: str = "PROD001", **overrides: object) -> Product:
    fields: dict[str, object] = {
        "code": ProductCode(code),
        "name": "Widget",
        "description": "A fine widget",
        "price": Money("9.99", "EUR"),
    }
    fields.update(overrides)
    return Product.create(**fields)  # type: ignore[arg-type]


async def save(uow: UowFactory, *products: Product) -> None:
    async with uow() as unit:
        for item in products:
            await unit.products.add(item)
        await unit.commit()


async def raw_record(database: AsyncDatabase, code: str) -> ProductRecord | None:
    async with database.session_factory() as session:
        statement = (
            select(ProductRecord)
            .where(ProductRecord.code == code)
            .execution_options(include_deleted=True)
        )
        return (await session.scalars(statement)).first()


def test_the_adapter_exposes_exactly_the_domain_query_fields() -> None:
    assert set(SqlAlchemyProductRepository.queryable) == QUERYABLE_FIELDS


async def test_round_trip_keeps_every_field(uow: UowFactory) -> None:
    original = product(price=Money("1234567890.12", "EUR"))
    await save(uow, original)
    assert original.version == 1
    async with uow() as unit:
        loaded = await unit.products.get(original.id)
    assert loaded is not None
    assert (loaded.code, loaded.name, loaded.description) == ("PROD001", "Widget", "A fine widget")
    assert loaded.price == Money("1234567890.12", "EUR")
    assert loaded.price.amount.as_tuple() == Decimal("1234567890.12").as_tuple()
    assert loaded.status is ProductStatus.DRAFT
    assert loaded.version == 1


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("1000", "JPY", "1000"), ("1.25", "BHD", "1.250"), ("0", "USD", "0.00")],
)
async def test_amounts_come_back_in_the_currency_minor_unit(
    uow: UowFactory, amount: str, currency: str, expected: str
) -> None:
    original = product(price=Money(amount, currency))
    await save(uow, original)
    async with uow() as unit:
        loaded = await unit.products.get_or_raise(original.id)
    assert str(loaded.price.amount) == expected


async def test_timestamps_are_set_and_timezone_aware(
    uow: UowFactory, database: AsyncDatabase
) -> None:
    await save(uow, product())
    record = await raw_record(database, "PROD001")
    assert record is not None
    assert isinstance(record.created_at, datetime)
    assert record.created_at.tzinfo is not None
    assert record.deleted_at is None


async def test_changes_are_written_back_on_commit_and_bump_the_version(
    uow: UowFactory,
) -> None:
    original = product()
    await save(uow, original)
    async with uow() as unit:
        loaded = await unit.products.get_or_raise(original.id)
        loaded.rename("Gadget")
        loaded.change_price(Money("5", "USD"))
        loaded.activate()
        await unit.commit()
        assert loaded.version == 2
    async with uow() as unit:
        again = await unit.products.get_or_raise(original.id)
    assert (again.name, again.price, again.status, again.version) == (
        "Gadget",
        Money("5", "USD"),
        ProductStatus.ACTIVE,
        2,
    )


async def test_nothing_is_written_without_commit(uow: UowFactory) -> None:
    original = product()
    await save(uow, original)
    async with uow() as unit:
        loaded = await unit.products.get_or_raise(original.id)
        loaded.rename("Never saved")
    async with uow() as unit:
        assert (await unit.products.get_or_raise(original.id)).name == "Widget"


async def test_an_unchanged_aggregate_keeps_its_version(uow: UowFactory) -> None:
    original = product()
    await save(uow, original)
    async with uow() as unit:
        loaded = await unit.products.get_or_raise(original.id)
        loaded.rename("Widget")
        await unit.commit()
    async with uow() as unit:
        assert (await unit.products.get_or_raise(original.id)).version == 1


async def test_a_write_over_a_newer_version_is_a_concurrency_conflict(
    uow: UowFactory,
) -> None:
    original = product()
    await save(uow, original)
    async with uow() as unit:
        mine = await unit.products.get_or_raise(original.id)
        # Someone else's committed change, as seen by the UPDATE's WHERE clause.
        await unit.session.execute(
            update(ProductRecord)
            .where(ProductRecord.id == original.id)
            .values(version=ProductRecord.version + 1)
            .execution_options(synchronize_session=False)
        )
        mine.rename("Mine")
        with pytest.raises(ConcurrencyConflict):
            await unit.commit()
    async with uow() as unit:
        stored = await unit.products.get_or_raise(original.id)
    assert (stored.name, stored.version) == ("Widget", 1)


async def test_concurrent_writers_one_wins_one_conflicts(
    committing_database: AsyncDatabase,
) -> None:
    # Real commits on separate connections: in the rolled-back test
    # transaction the loser's rollback would undo the winner's savepoint too.
    def uow() -> SqlAlchemyProductCatalogUnitOfWork:
        return SqlAlchemyProductCatalogUnitOfWork(committing_database)

    original = product()
    await save(uow, original)
    async with uow() as first, uow() as second:
        mine = await first.products.get_or_raise(original.id)
        theirs = await second.products.get_or_raise(original.id)
        theirs.rename("Theirs")
        await second.commit()
        mine.rename("Mine")
        with pytest.raises(ConcurrencyConflict):
            await first.commit()
    async with uow() as unit:
        stored = await unit.products.get_or_raise(original.id)
    assert (stored.name, stored.version) == ("Theirs", 2)


async def test_duplicate_code_violates_the_unique_constraint_naming_the_field(
    uow: UowFactory, database: AsyncDatabase
) -> None:
    await save(uow, product())
    duplicate = product(name="Other")
    with pytest.raises(IntegrityConflict) as error:
        await save(uow, duplicate)
    assert error.value.constraint == "uq_products_code"
    assert error.value.field == "code"
    async with uow() as unit:
        assert await unit.products.get(duplicate.id) is None
        page = await unit.products.list()
    assert [p.name for p in page.items] == ["Widget"]


async def test_the_database_refuses_a_negative_price_that_bypassed_the_domain(
    uow: UowFactory,
) -> None:
    bad = product()
    object.__setattr__(bad.price, "amount", Decimal("-1.00"))
    with pytest.raises(IntegrityConflict) as error:
        await save(uow, bad)
    assert error.value.constraint == "ck_products_price_amount_not_negative"
    assert error.value.kind == "check"
    async with uow() as unit:
        assert await unit.products.get(bad.id) is None


async def test_get_by_code_and_code_in_use(uow: UowFactory) -> None:
    original = product()
    await save(uow, original, product("PROD002"))
    async with uow() as unit:
        found = await unit.products.get_by_code(ProductCode("PROD001"))
        assert found is not None
        assert found.id == original.id
        assert await unit.products.get_by_code(ProductCode("PROD404")) is None
        assert await unit.products.code_in_use(ProductCode("PROD002"))
        assert not await unit.products.code_in_use(ProductCode("PROD404"))


async def test_remove_soft_deletes_and_the_code_stays_in_use(
    uow: UowFactory, database: AsyncDatabase
) -> None:
    original = product()
    await save(uow, original)
    async with uow() as unit:
        loaded = await unit.products.get_or_raise(original.id)
        await unit.products.remove(loaded)
        await unit.commit()
    async with uow() as unit:
        assert await unit.products.get(original.id) is None
        assert await unit.products.get_by_code(ProductCode("PROD001")) is None
        assert (await unit.products.list()).items == []
        assert await unit.products.code_in_use(ProductCode("PROD001"))
    record = await raw_record(database, "PROD001")
    assert record is not None
    assert record.deleted_at is not None
    assert record.version == 2


async def test_get_of_an_unknown_id_is_none(uow: UowFactory) -> None:
    async with uow() as unit:
        assert await unit.products.get(uuid4()) is None


# -- listing ------------------------------------------------------------------


@pytest.fixture
async def catalog(uow: UowFactory) -> UowFactory:
    items = [
        product("PROD001", name="Blue widget", price=Money("10.00", "EUR")),
        product("PROD002", name="Red widget", price=Money("20.00", "EUR")),
        product("PROD003", name="Gadget 100%", price=Money("30.00", "EUR")),
        product("PROD004", name="Gadget_mini", price=Money("5.00", "USD")),
        product("PROD005", name="Green WIDGET", price=Money("15.00", "EUR")),
    ]
    items[1].activate()
    items[2].discontinue()
    await save(uow, *items)
    return uow


async def codes(uow: UowFactory, spec: QuerySpec) -> list[str]:
    async with uow() as unit:
        return [str(p.code) for p in (await unit.products.list(spec)).items]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (QuerySpec(), ["PROD001", "PROD002", "PROD003", "PROD004", "PROD005"]),
        (
            QuerySpec(filters=(Filter("status", Op.IN, ["active", "discontinued"]),)),
            ["PROD002", "PROD003"],
        ),
        (
            QuerySpec(filters=(Filter("name", Op.ILIKE, "widget"),)),
            ["PROD001", "PROD002", "PROD005"],
        ),
        (QuerySpec(filters=(Filter("name", Op.ILIKE, "%"),)), ["PROD003"]),
        (QuerySpec(filters=(Filter("name", Op.ILIKE, "_"),)), ["PROD004"]),
        (
            QuerySpec(
                filters=(
                    Filter("price.amount", Op.GE, Decimal("10")),
                    Filter("price.amount", Op.LE, Decimal("20")),
                    Filter("price.currency", Op.EQ, "EUR"),
                )
            ),
            ["PROD001", "PROD002", "PROD005"],
        ),
        (
            QuerySpec(order_by=(Ordering("price.amount", descending=True),)),
            ["PROD003", "PROD002", "PROD005", "PROD001", "PROD004"],
        ),
    ],
)
async def test_list_filters_and_orders_in_sql(
    catalog: UowFactory, spec: QuerySpec, expected: list[str]
) -> None:
    order = spec.order_by or (Ordering("code"),)
    assert await codes(catalog, QuerySpec(filters=spec.filters, order_by=order)) == expected


async def test_offset_page_reports_the_total(catalog: UowFactory) -> None:
    async with catalog() as unit:
        page = await unit.products.list(QuerySpec(order_by=(Ordering("code"),), limit=2, offset=2))
    assert [str(p.code) for p in page.items] == ["PROD003", "PROD004"]
    assert page.total == 5


async def test_keyset_pages_visit_every_product_once(catalog: UowFactory) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        async with catalog() as unit:
            page = await unit.products.list(
                QuerySpec(order_by=(Ordering("name"),), limit=2, after=cursor)
            )
        seen.extend(str(p.code) for p in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == ["PROD001", "PROD002", "PROD003", "PROD004", "PROD005"]
    assert len(seen) == 5


async def test_fields_outside_the_allowlist_are_refused(catalog: UowFactory) -> None:
    async with catalog() as unit:
        with pytest.raises(InvalidQuery):
            await unit.products.list(QuerySpec(filters=(Filter("deleted_at", Op.IS_NULL, True),)))
        with pytest.raises(InvalidQuery):
            await unit.products.list(QuerySpec(order_by=(Ordering("price_amount; drop"),)))
