"""The product's rules, exercised without any database."""

from decimal import Decimal
from uuid import uuid4

import pytest

from product_catalog.domain import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    InvalidDescription,
    InvalidPrice,
    InvalidProductName,
    InvalidStatusTransition,
    Money,
    PriceChangeNotAllowed,
    Product,
    ProductActivated,
    ProductCode,
    ProductCreated,
    ProductDeleted,
    ProductDescriptionChanged,
    ProductDiscontinued,
    ProductPriceChanged,
    ProductRenamed,
    ProductStatus,
)
from shared_infrastructure.domain import ConcurrencyConflict, VersionMismatch


def make_product(**overrides: object) -> Product:
    fields: dict[str, object] = {
        "code": ProductCode("PROD001"),
        "name": "Widget",
        "price": Money("9.99", "EUR"),
    }
    fields.update(overrides)
    return Product.create(**fields)  # type: ignore[arg-type]


def test_a_new_product_is_an_unsaved_draft_announcing_its_creation() -> None:
    product = make_product(description="  A fine widget  ")
    assert product.status is ProductStatus.DRAFT
    assert product.version == 0
    assert product.description == "A fine widget"
    [event] = product.pull_events()
    assert isinstance(event, ProductCreated)
    assert (event.product_id, event.code, event.product_name) == (product.id, "PROD001", "Widget")
    assert event.price == Money("9.99", "EUR")


def test_negative_price_is_refused() -> None:
    with pytest.raises(InvalidPrice) as error:
        make_product(price=Money("-0.01", "EUR"))
    assert error.value.field == "price.amount"


def test_free_products_are_allowed() -> None:
    assert make_product(price=Money("0", "EUR")).price.amount == 0


@pytest.mark.parametrize(("amount", "currency"), [("10000000000", "EUR"), ("1.234", "BHD")])
def test_prices_the_catalog_cannot_store_exactly_are_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidPrice):
        make_product(price=Money(amount, currency))


def test_a_three_decimal_currency_accepts_two_decimal_prices() -> None:
    assert make_product(price=Money("1.25", "BHD")).price == Money("1.250", "BHD")


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * (NAME_MAX_LENGTH + 1), "Wid\x00get", "line\nbreak", "\ud800"]
)
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidProductName) as error:
        make_product(name=name)
    assert error.value.field == "name"


def test_names_are_trimmed() -> None:
    assert make_product(name="  Widget  ").name == "Widget"


@pytest.mark.parametrize("description", ["x" * (DESCRIPTION_MAX_LENGTH + 1), "nul\x00byte"])
def test_bad_descriptions_are_refused(description: str) -> None:
    with pytest.raises(InvalidDescription):
        make_product(description=description)


def test_descriptions_may_span_lines() -> None:
    assert make_product(description="one\ntwo").description == "one\ntwo"


def test_rename_records_old_and_new_name() -> None:
    product = make_product()
    product.pull_events()
    product.rename("Gadget")
    assert product.name == "Gadget"
    [event] = product.pull_events()
    assert isinstance(event, ProductRenamed)
    assert (event.old_name, event.new_name) == ("Widget", "Gadget")


def test_changes_to_the_same_value_record_nothing() -> None:
    product = make_product(description="d")
    product.pull_events()
    product.rename(" Widget ")
    product.describe("d")
    product.change_price(Money("9.990", "EUR"))
    assert product.pending_events == ()


def test_describe_records_the_new_description() -> None:
    product = make_product()
    product.pull_events()
    product.describe("Now with more widget")
    [event] = product.pull_events()
    assert isinstance(event, ProductDescriptionChanged)
    assert event.description == "Now with more widget"


def test_price_change_records_old_and_new_price() -> None:
    product = make_product()
    product.pull_events()
    product.change_price(Money("12", "USD"))
    assert product.price == Money("12.00", "USD")
    [event] = product.pull_events()
    assert isinstance(event, ProductPriceChanged)
    assert event.old_price == Money("9.99", "EUR")
    assert event.new_price == Money("12", "USD")
    assert event.to_dict()["new_price"] == {"amount": Decimal("12.00"), "currency": "USD"}


def test_change_to_a_negative_price_is_refused_and_keeps_the_old_price() -> None:
    product = make_product()
    with pytest.raises(InvalidPrice):
        product.change_price(Money("-1", "EUR"))
    assert product.price == Money("9.99", "EUR")


def test_lifecycle_draft_active_discontinued() -> None:
    product = make_product()
    product.pull_events()
    product.activate()
    after_activate = product.status
    product.discontinue()
    assert (after_activate, product.status) == (ProductStatus.ACTIVE, ProductStatus.DISCONTINUED)
    assert [type(e) for e in product.pull_events()] == [ProductActivated, ProductDiscontinued]


def test_a_draft_can_be_discontinued_directly() -> None:
    product = make_product()
    product.discontinue()
    assert product.status is ProductStatus.DISCONTINUED


@pytest.mark.parametrize(
    ("steps", "forbidden"),
    [
        (["activate"], "activate"),
        (["discontinue"], "activate"),
        (["discontinue"], "discontinue"),
        (["activate", "discontinue"], "activate"),
    ],
)
def test_invalid_status_transitions_are_refused(steps: list[str], forbidden: str) -> None:
    product = make_product()
    for step in steps:
        getattr(product, step)()
    status_before = product.status
    product.pull_events()
    with pytest.raises(InvalidStatusTransition) as error:
        getattr(product, forbidden)()
    assert product.status is status_before
    assert product.pending_events == ()
    assert error.value.field == "status"


def test_price_of_a_discontinued_product_cannot_change() -> None:
    product = make_product()
    product.discontinue()
    with pytest.raises(PriceChangeNotAllowed):
        product.change_price(Money("1", "EUR"))
    assert product.price == Money("9.99", "EUR")


def test_a_discontinued_product_can_still_be_renamed() -> None:
    product = make_product()
    product.discontinue()
    product.rename("Old widget")
    assert product.name == "Old widget"


def test_mark_deleted_records_the_code() -> None:
    product = make_product()
    product.pull_events()
    product.mark_deleted()
    [event] = product.pull_events()
    assert isinstance(event, ProductDeleted)
    assert event.code == "PROD001"


def test_check_version_refuses_a_stale_expectation() -> None:
    product = make_product()
    product.version = 3
    product.check_version(None)
    product.check_version(3)
    with pytest.raises(VersionMismatch) as error:
        product.check_version(2)
    assert isinstance(error.value, ConcurrencyConflict)


def test_products_are_equal_by_identity() -> None:
    product_id = uuid4()
    first = make_product(id=product_id)
    second = make_product(id=product_id, name="Other")
    assert first == second
    assert first != make_product()
