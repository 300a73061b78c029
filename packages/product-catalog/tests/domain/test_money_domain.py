"""Money refuses what is not an exact amount of a real currency."""

from decimal import Decimal

import pytest

from product_catalog.domain import ISO_4217_CODES, InvalidMoney, Money


def test_amount_is_normalized_to_the_currency_minor_unit() -> None:
    assert str(Money(Decimal("10.5"), "EUR")) == "10.50 EUR"
    assert str(Money(1000, "JPY")) == "1000 JPY"
    assert str(Money("1.5", "BHD")) == "1.500 BHD"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [("-0.00", "EUR", "0.00"), (Decimal("-0"), "JPY", "0"), ("-0", "XAU", "0")],
)
def test_a_negative_zero_is_zero(amount: str | Decimal, currency: str, shown: str) -> None:
    money = Money(amount, currency)
    assert str(money.amount) == shown
    assert money == Money(0, currency)


def test_equal_amounts_written_differently_are_equal() -> None:
    assert Money("10", "USD") == Money(Decimal("10.00"), "USD")
    assert Money("10", "USD") != Money("10", "EUR")


@pytest.mark.parametrize("currency", ["usd", "EURO", "XXX", "ABC", "", "HRK"])
def test_unknown_or_retired_currencies_are_refused(currency: str) -> None:
    with pytest.raises(InvalidMoney) as error:
        Money("1", currency)
    assert error.value.field == "currency"


def test_current_currencies_are_known() -> None:
    assert {"EUR", "USD", "JPY", "CHF", "ZWG", "XCG"} <= ISO_4217_CODES
    assert "ZWL" not in ISO_4217_CODES


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1.5", "JPY"),  # yen have no minor unit
        ("9.999", "EUR"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
        ("ten", "EUR"),
        ("1e20", "EUR"),
    ],
)
def test_amounts_that_are_not_exact_money_are_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidMoney) as error:
        Money(amount, currency)
    assert error.value.field == "amount"


@pytest.mark.parametrize("amount", [0.1, True, None])
def test_floats_and_other_types_are_refused(amount: object) -> None:
    with pytest.raises(InvalidMoney):
        Money(amount, "EUR")  # type: ignore[arg-type]


def test_trailing_zeros_do_not_count_as_precision() -> None:
    assert Money("9.9900", "EUR").amount == Decimal("9.99")
    assert Money("9.9900", "EUR").decimal_places == 2


def test_money_is_immutable() -> None:
    money = Money("1", "EUR")
    with pytest.raises(AttributeError):
        money.amount = Decimal(2)  # type: ignore[misc]
