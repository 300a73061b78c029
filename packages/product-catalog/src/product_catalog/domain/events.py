"""Facts a product records about itself; published after a successful commit.

Every event names the product by id and by ``code`` (the key other contexts
know it by), and the ones other contexts are told about carry the state
they need (price, status), so the published language can map an event to
an integration event without loading the product again.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from product_catalog.domain.money import Money
from product_catalog.domain.product_status import ProductStatus
from shared_infrastructure.domain import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProductEvent(DomainEvent):
    product_id: UUID
    code: str


@dataclass(frozen=True, kw_only=True)
class ProductCreated(ProductEvent):
    # Not ``name``: DomainEvent.name is the event's type name.
    product_name: str
    price: Money


@dataclass(frozen=True, kw_only=True)
class ProductRenamed(ProductEvent):
    old_name: str
    new_name: str


@dataclass(frozen=True, kw_only=True)
class ProductDescriptionChanged(ProductEvent):
    description: str


@dataclass(frozen=True, kw_only=True)
class ProductPriceChanged(ProductEvent):
    old_price: Money
    new_price: Money
    status: ProductStatus


@dataclass(frozen=True, kw_only=True)
class ProductActivated(ProductEvent):
    price: Money


@dataclass(frozen=True, kw_only=True)
class ProductDiscontinued(ProductEvent):
    price: Money


@dataclass(frozen=True, kw_only=True)
class ProductDeleted(ProductEvent):
    pass
