"""Money: an exact amount in one ISO 4217 currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from product_catalog.domain.currencies import MINOR_UNITS, is_currency_code
from product_catalog.domain.errors import InvalidMoney

# Beyond this many integer digits quantizing would exceed Decimal's default
# 28-digit context; no catalog needs it.
_MAX_INTEGER_DIGITS = 15


@dataclass(frozen=True, slots=True)
class Money:
    """Value object; the amount is normalized to the currency's minor unit.

    Floats are refused: ``0.1 + 0.2`` is not a price. An amount finer than
    the currency allows (``1.5 JPY``, ``9.999 EUR``) is refused rather than
    rounded, because silent rounding changes what the caller asked for.
    A negative zero (``-0.00``) becomes ``0.00``: it is the same amount, and
    not every store keeps the sign of a zero, so it would read back changed.
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        object.__setattr__(self, "currency", _valid_currency(currency))
        object.__setattr__(self, "amount", _valid_amount(amount, self.currency))

    @property
    def decimal_places(self) -> int:
        """Significant decimal places, ignoring trailing zeros."""
        exponent = self.amount.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _valid_currency(currency: object) -> str:
    if not is_currency_code(currency):
        raise InvalidMoney(
            "currency is not an ISO 4217 code in use (e.g. 'EUR', 'USD')",
            field="currency",
        )
    return currency


def _valid_amount(amount: object, currency: str) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise InvalidMoney(
            f"amount must be a decimal number, not {type(amount).__name__}", field="amount"
        )
    try:
        value = Decimal(amount.strip() if isinstance(amount, str) else amount)
    except InvalidOperation:
        raise InvalidMoney("amount is not a number", field="amount") from None
    if not value.is_finite():
        raise InvalidMoney("amount is not a finite number", field="amount")
    if value != 0 and value.adjusted() >= _MAX_INTEGER_DIGITS:
        raise InvalidMoney("amount is too large", field="amount")
    if value.is_zero():
        value = value.copy_abs()
    minor_units = MINOR_UNITS[currency]
    if minor_units is None:
        return value
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > minor_units:
        raise InvalidMoney(
            f"{currency} amounts have at most {minor_units} decimal places",
            field="amount",
        )
    return value.quantize(Decimal(1).scaleb(-minor_units))
