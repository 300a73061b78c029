"""Use cases against the in-memory unit of work: what a caller observes."""

from collections.abc import Sequence
from decimal import Decimal
from uuid import uuid4

import pytest

from product_catalog.application import (
    ProductChanges,
    ProductService,
    ProductView,
)
from product_catalog.application.fakes import (
    FakeProductCatalogUnitOfWork,
    InMemoryProductStore,
)
from product_catalog.domain import (
    DuplicateProductCode,
    InvalidPrice,
    InvalidProductCode,
    InvalidStatusTransition,
    PriceChangeNotAllowed,
    ProductActivated,
    ProductCreated,
    ProductDeleted,
    ProductNotFound,
    ProductPriceChanged,
    ProductRenamed,
)
from shared_infrastructure.domain import DomainEvent, DomainRuleViolation, VersionMismatch


class Catalog:
    """The service plus a window on what it stored and published."""

    def __init__(self) -> None:
        self.store = InMemoryProductStore()
        self.units: list[FakeProductCatalogUnitOfWork] = []
        self.published: list[DomainEvent] = []
        self.service = ProductService(self._new_uow, publish=self._publish)

    def _new_uow(self) -> FakeProductCatalogUnitOfWork:
        uow = FakeProductCatalogUnitOfWork(self.store)
        self.units.append(uow)
        return uow

    async def _publish(self, events: Sequence[DomainEvent]) -> None:
        self.published.extend(events)

    async def create(self, code: str = "PROD001", **overrides: object) -> ProductView:
        fields: dict[str, object] = {
            "code": code,
            "name": "Widget",
            "price_amount": Decimal("9.99"),
            "price_currency": "EUR",
        }
        fields.update(overrides)
        return await self.service.create(**fields)  # type: ignore[arg-type]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog()


async def test_create_stores_a_draft_at_version_1(catalog: Catalog) -> None:
    view = await catalog.create(description="A fine widget")
    assert view.code == "PROD001"
    assert view.status == "draft"
    assert view.version == 1
    assert (view.price_amount, view.price_currency) == (Decimal("9.99"), "EUR")
    assert await catalog.service.get(view.id) == view
    assert [type(e) for e in catalog.published] == [ProductCreated]


async def test_create_with_bad_input_stores_nothing(catalog: Catalog) -> None:
    with pytest.raises(InvalidProductCode):
        await catalog.create(code="prod-1")
    with pytest.raises(InvalidPrice) as negative:
        await catalog.create(price_amount=Decimal("-1"))
    assert negative.value.field == "price.amount"
    with pytest.raises(InvalidPrice) as currency:
        await catalog.create(price_currency="EURO")
    assert currency.value.field == "price.currency"
    assert catalog.store.products == {}
    assert catalog.published == []


async def test_duplicate_code_is_a_conflict_naming_the_field(catalog: Catalog) -> None:
    await catalog.create()
    with pytest.raises(DuplicateProductCode) as error:
        await catalog.create(name="Another")
    assert error.value.field == "code"
    assert len(catalog.store.products) == 1


async def test_codes_of_deleted_products_stay_taken(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.delete(view.id)
    with pytest.raises(DuplicateProductCode):
        await catalog.create()


async def test_get_and_get_by_code_of_missing_products_raise_not_found(catalog: Catalog) -> None:
    with pytest.raises(ProductNotFound):
        await catalog.service.get(uuid4())
    with pytest.raises(ProductNotFound):
        await catalog.service.get_by_code("PROD404")


async def test_get_by_code_with_a_malformed_code_is_a_rule_violation(catalog: Catalog) -> None:
    with pytest.raises(InvalidProductCode):
        await catalog.service.get_by_code("not a code")


async def test_get_by_code(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.create("PROD002")
    assert await catalog.service.get_by_code("PROD001") == view


async def test_update_changes_several_fields_and_bumps_the_version_once(catalog: Catalog) -> None:
    view = await catalog.create()
    updated = await catalog.service.update(
        view.id,
        ProductChanges(name="Gadget", description="New", price_amount=Decimal("12.50")),
        expected_version=1,
    )
    assert (updated.name, updated.description, updated.price_amount) == (
        "Gadget",
        "New",
        Decimal("12.50"),
    )
    assert updated.price_currency == "EUR"
    assert updated.version == 2
    assert await catalog.service.get(view.id) == updated


async def test_a_negative_zero_price_is_stored_and_shown_as_zero(catalog: Catalog) -> None:
    view = await catalog.create(price_amount="-0.00")
    assert str(view.price_amount) == "0.00"
    assert str((await catalog.service.get(view.id)).price_amount) == "0.00"
    changed = await catalog.service.change_price(view.id, Decimal("-0"), "USD")
    assert str(changed.price_amount) == "0.00"


async def test_an_update_naming_no_field_is_refused_and_writes_nothing(catalog: Catalog) -> None:
    view = await catalog.create()
    published = list(catalog.published)
    with pytest.raises(DomainRuleViolation, match="nothing to change"):
        await catalog.service.update(view.id, ProductChanges())
    assert catalog.published == published
    assert await catalog.service.get(view.id) == view


async def test_a_no_op_update_keeps_the_version(catalog: Catalog) -> None:
    view = await catalog.create()
    assert (await catalog.service.update(view.id, ProductChanges(name="Widget"))).version == 1


async def test_update_is_all_or_nothing(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.discontinue(view.id)
    with pytest.raises(PriceChangeNotAllowed):
        await catalog.service.update(
            view.id, ProductChanges(name="Renamed", price_amount=Decimal("1"))
        )
    stored = await catalog.service.get(view.id)
    assert stored.name == "Widget"
    assert stored.price_amount == Decimal("9.99")


async def test_stale_expected_version_is_refused_and_changes_nothing(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.rename(view.id, "Gadget", expected_version=1)
    with pytest.raises(VersionMismatch):
        await catalog.service.rename(view.id, "Stale", expected_version=1)
    with pytest.raises(VersionMismatch):
        await catalog.service.delete(view.id, expected_version=1)
    stored = await catalog.service.get(view.id)
    assert (stored.name, stored.version) == ("Gadget", 2)


async def test_rename_describe_and_change_price(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.rename(view.id, "Gadget")
    await catalog.service.describe(view.id, "Shiny")
    changed = await catalog.service.change_price(view.id, "20", "USD")
    assert (changed.name, changed.description) == ("Gadget", "Shiny")
    assert (changed.price_amount, changed.price_currency) == (Decimal("20.00"), "USD")
    assert changed.version == 4
    assert [type(e) for e in catalog.published][-1] is ProductPriceChanged
    assert ProductRenamed in {type(e) for e in catalog.published}


async def test_price_change_of_a_discontinued_product_is_refused(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.activate(view.id)
    await catalog.service.discontinue(view.id)
    with pytest.raises(PriceChangeNotAllowed):
        await catalog.service.change_price(view.id, "1", "EUR")
    assert (await catalog.service.get(view.id)).price_amount == Decimal("9.99")


async def test_activate_then_discontinue(catalog: Catalog) -> None:
    view = await catalog.create()
    active = await catalog.service.activate(view.id, expected_version=1)
    assert (active.status, active.version) == ("active", 2)
    gone = await catalog.service.discontinue(view.id, expected_version=2)
    assert (gone.status, gone.version) == ("discontinued", 3)
    with pytest.raises(InvalidStatusTransition):
        await catalog.service.activate(view.id)
    assert ProductActivated in {type(e) for e in catalog.published}


async def test_delete_hides_the_product_and_publishes(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.delete(view.id, expected_version=1)
    with pytest.raises(ProductNotFound):
        await catalog.service.get(view.id)
    with pytest.raises(ProductNotFound):
        await catalog.service.delete(view.id)
    assert (await catalog.service.list()).items == []
    assert isinstance(catalog.published[-1], ProductDeleted)


async def test_writes_to_missing_products_raise_not_found(catalog: Catalog) -> None:
    missing = uuid4()
    with pytest.raises(ProductNotFound):
        await catalog.service.activate(missing)
    with pytest.raises(ProductNotFound):
        await catalog.service.update(missing, ProductChanges(name="x"))


async def test_failed_use_cases_roll_back_and_publish_nothing(catalog: Catalog) -> None:
    view = await catalog.create()
    await catalog.service.discontinue(view.id)
    published = list(catalog.published)
    with pytest.raises(InvalidStatusTransition):
        await catalog.service.discontinue(view.id)
    last = catalog.units[-1]
    assert (last.commits, last.rollbacks) == (0, 1)
    assert catalog.published == published
    assert (await catalog.service.get(view.id)).version == 2


async def test_a_failed_commit_publishes_nothing(catalog: Catalog) -> None:
    def failing_uow() -> FakeProductCatalogUnitOfWork:
        uow = FakeProductCatalogUnitOfWork(catalog.store)
        uow.fail_next_commit = RuntimeError("database went away")
        return uow

    service = ProductService(failing_uow, publish=catalog._publish)
    with pytest.raises(RuntimeError):
        await service.create(code="PROD009", name="x", price_amount=1, price_currency="EUR")
    assert catalog.store.products == {}
    assert catalog.published == []


async def test_writes_open_their_unit_of_work_for_writing_and_reads_do_not(
    catalog: Catalog,
) -> None:
    view = await catalog.create()
    await catalog.service.rename(view.id, "Renamed")
    await catalog.service.delete(view.id)
    writes = len(catalog.units)
    await catalog.create("PROD002")
    await catalog.service.list()
    await catalog.service.get_by_code("PROD002")

    assert [uow.entered_for_writing for uow in catalog.units] == [1] * writes + [1, 0, 0]
