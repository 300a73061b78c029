"""Tickets: an event sold through a catalog product, and what this context
knows about that product.

The catalog owns products; this context keeps its own copy of the facts it
needs (price, on sale), fed by the catalog's integration events. A
``TicketProduct`` is that copy: it exists as soon as the catalog told us
about the product, whether or not an event links it yet, and it keeps the
latest state it was told (an older fact arriving late changes nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from events.domain.schedule import to_utc
from shared_infrastructure.domain import AggregateRoot, DomainRuleViolation

# The catalog's product code format, as its published contract states it;
# a code that cannot name a product is refused before it is stored.
PRODUCT_CODE_PATTERN = r"^[A-Z]{2,10}[0-9]{3,10}$"
_PRODUCT_CODE = re.compile(PRODUCT_CODE_PATTERN)
MAX_PRODUCT_CODE_LENGTH = 20
_CURRENCY = re.compile(r"[A-Z]{3}")
MAX_AMOUNT_LENGTH = 32


def is_ticket_product_code(value: object) -> bool:
    return isinstance(value, str) and bool(_PRODUCT_CODE.fullmatch(value))


def validate_ticket_product_code(value: str) -> str:
    if not is_ticket_product_code(value):
        raise DomainRuleViolation(
            "ticket_product_code must be a catalog product code: 2-10 capital letters "
            "then 3-10 digits, e.g. PROD001",
            field="ticket_product_code",
        )
    return value


@dataclass(frozen=True)
class TicketPrice:
    """A price as the catalog states it: the decimal text (``"25.00"``,
    ``"1200"``) and an ISO currency. Kept as text so it reads back exactly
    as published, whatever the currency's minor unit."""

    amount: str
    currency: str

    def __post_init__(self) -> None:
        amount = self.amount
        try:
            valid = (
                isinstance(amount, str)
                and len(amount) <= MAX_AMOUNT_LENGTH
                and Decimal(amount).is_finite()
                and Decimal(amount) >= 0
                and amount == amount.strip()
            )
        except InvalidOperation:
            valid = False
        if not valid:
            raise DomainRuleViolation(
                "a ticket price amount is a non-negative decimal text, e.g. '25.00'",
                field="price.amount",
            )
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise DomainRuleViolation(
                "a ticket price currency is an ISO 4217 code, e.g. 'EUR'", field="price.currency"
            )


class TicketProduct(AggregateRoot[str]):
    """The events context's view of one catalog product, keyed by its code."""

    def __init__(
        self,
        *,
        code: str,
        price: TicketPrice | None,
        on_sale: bool,
        as_of: datetime,
        version: int = 0,
    ) -> None:
        super().__init__()
        self.id = validate_ticket_product_code(code)
        self.version = version
        self._price = price
        self._on_sale = bool(on_sale)
        self._as_of = to_utc(as_of, "as_of")

    @classmethod
    def first_heard(
        cls, code: str, *, price: TicketPrice | None, on_sale: bool, as_of: datetime
    ) -> TicketProduct:
        return cls(code=code, price=price, on_sale=on_sale, as_of=as_of)

    @property
    def code(self) -> str:
        return self.id

    @property
    def price(self) -> TicketPrice | None:
        """``None`` until the catalog told a price."""
        return self._price

    @property
    def on_sale(self) -> bool:
        return self._on_sale

    @property
    def as_of(self) -> datetime:
        """When the state held here was true in the catalog."""
        return self._as_of

    def update(self, *, price: TicketPrice | None, on_sale: bool, as_of: datetime) -> bool:
        """Take a newer state; ``price=None`` keeps the known price. A state
        older than the one held is ignored (returns False): redelivered or
        replayed facts never roll the copy back."""
        as_of = to_utc(as_of, "as_of")
        if as_of < self._as_of:
            return False
        if price is not None:
            self._price = price
        self._on_sale = bool(on_sale)
        self._as_of = as_of
        return True
