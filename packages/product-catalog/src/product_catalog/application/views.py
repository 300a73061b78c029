"""Plain results of the use cases: no aggregate leaks past the service."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from product_catalog.domain import Product


@dataclass(frozen=True, slots=True)
class ProductView:
    id: UUID
    code: str
    name: str
    description: str
    price_amount: Decimal
    price_currency: str
    status: str
    version: int

    @classmethod
    def of(cls, product: Product) -> ProductView:
        return cls(
            id=product.id,
            code=str(product.code),
            name=product.name,
            description=product.description,
            price_amount=product.price.amount,
            price_currency=product.price.currency,
            status=product.status.value,
            version=product.version,
        )


@dataclass(frozen=True, slots=True)
class ProductPage:
    """One page of a listing; ``next_cursor`` continues a keyset listing."""

    items: list[ProductView]
    total: int | None
    limit: int | None
    offset: int
    next_cursor: str | None
