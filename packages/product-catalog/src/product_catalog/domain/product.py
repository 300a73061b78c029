"""The ``Product`` aggregate: every rule about a product lives here."""

from __future__ import annotations

import uuid
from decimal import Decimal
from uuid import UUID

from product_catalog.domain.errors import (
    InvalidDescription,
    InvalidPrice,
    InvalidProductName,
    InvalidStatusTransition,
    PriceChangeNotAllowed,
)
from product_catalog.domain.events import (
    ProductActivated,
    ProductCreated,
    ProductDeleted,
    ProductDescriptionChanged,
    ProductDiscontinued,
    ProductPriceChanged,
    ProductRenamed,
)
from product_catalog.domain.money import Money
from product_catalog.domain.product_code import ProductCode
from product_catalog.domain.product_status import ProductStatus
from product_catalog.domain.text import has_control_characters
from shared_infrastructure.domain import AggregateRoot

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
# Prices are stored as NUMERIC(12, 2): ten integer digits, two decimals.
PRICE_MAX_DECIMAL_PLACES = 2
PRICE_MAX = Decimal("9999999999.99")


class Product(AggregateRoot[UUID]):
    """A sellable item with a unique code, a price and a lifecycle.

    State changes only through methods, so no caller can skip a rule; each
    method records an event only when something really changed (a no-op
    write must not bump the version or notify anyone).
    """

    def __init__(
        self,
        *,
        id: UUID,
        code: ProductCode,
        name: str,
        description: str,
        price: Money,
        status: ProductStatus = ProductStatus.DRAFT,
        version: int = 0,
    ) -> None:
        super().__init__()
        self.id = id
        self.version = version
        self._code = code
        self._name = _valid_name(name)
        self._description = _valid_description(description)
        self._price = _valid_price(price)
        self._status = status

    @classmethod
    def create(
        cls,
        *,
        code: ProductCode,
        name: str,
        price: Money,
        description: str = "",
        id: UUID | None = None,
    ) -> Product:
        """A new product starts as a draft, unsaved (version 0)."""
        product = cls(
            id=id or uuid.uuid4(),
            code=code,
            name=name,
            description=description,
            price=price,
        )
        product.record_event(
            ProductCreated(
                product_id=product.id,
                code=str(product.code),
                product_name=product.name,
                price=product.price,
            )
        )
        return product

    @property
    def code(self) -> ProductCode:
        return self._code

    @property
    def name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return self._description

    @property
    def price(self) -> Money:
        return self._price

    @property
    def status(self) -> ProductStatus:
        return self._status

    def rename(self, name: str) -> None:
        new_name = _valid_name(name)
        if new_name == self._name:
            return
        old_name, self._name = self._name, new_name
        self.record_event(
            ProductRenamed(
                product_id=self.id, code=str(self._code), old_name=old_name, new_name=new_name
            )
        )

    def describe(self, description: str) -> None:
        new_description = _valid_description(description)
        if new_description == self._description:
            return
        self._description = new_description
        self.record_event(
            ProductDescriptionChanged(
                product_id=self.id, code=str(self._code), description=new_description
            )
        )

    def change_price(self, price: Money) -> None:
        if self._status is ProductStatus.DISCONTINUED:
            raise PriceChangeNotAllowed(self._status.value)
        new_price = _valid_price(price)
        if new_price == self._price:
            return
        old_price, self._price = self._price, new_price
        self.record_event(
            ProductPriceChanged(
                product_id=self.id,
                code=str(self._code),
                old_price=old_price,
                new_price=new_price,
                status=self._status,
            )
        )

    def activate(self) -> None:
        self._become(ProductStatus.ACTIVE)
        self.record_event(
            ProductActivated(product_id=self.id, code=str(self._code), price=self._price)
        )

    def discontinue(self) -> None:
        self._become(ProductStatus.DISCONTINUED)
        self.record_event(
            ProductDiscontinued(product_id=self.id, code=str(self._code), price=self._price)
        )

    def mark_deleted(self) -> None:
        """Record the deletion; the repository's ``remove`` does the rest."""
        self.record_event(ProductDeleted(product_id=self.id, code=str(self._code)))

    def _become(self, target: ProductStatus) -> None:
        if not self._status.can_become(target):
            raise InvalidStatusTransition(self._status.value, target.value)
        self._status = target


def _valid_name(name: str) -> str:
    if not isinstance(name, str):
        raise InvalidProductName("must be text")
    text = name.strip()
    if not text:
        raise InvalidProductName("must not be blank")
    if len(text) > NAME_MAX_LENGTH:
        raise InvalidProductName(f"must be at most {NAME_MAX_LENGTH} characters")
    if has_control_characters(text):
        raise InvalidProductName("must not contain control characters")
    return text


def _valid_description(description: str) -> str:
    if not isinstance(description, str):
        raise InvalidDescription("must be text")
    text = description.strip()
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise InvalidDescription(f"must be at most {DESCRIPTION_MAX_LENGTH} characters")
    if has_control_characters(text, allowed="\t\n\r"):
        raise InvalidDescription("must not contain control characters other than line breaks")
    return text


def _valid_price(price: Money) -> Money:
    if price.is_negative():
        raise InvalidPrice("price must not be negative")
    if price.decimal_places > PRICE_MAX_DECIMAL_PLACES:
        raise InvalidPrice(f"prices have at most {PRICE_MAX_DECIMAL_PLACES} decimal places")
    if price.amount > PRICE_MAX:
        raise InvalidPrice(f"price must be at most {PRICE_MAX}")
    return price
