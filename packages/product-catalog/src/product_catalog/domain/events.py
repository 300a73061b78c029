"""Facts a product records about itself; published after a successful commit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from product_catalog.domain.money import Money
from shared_infrastructure.domain import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProductEvent(DomainEvent):
    product_id: UUID


@dataclass(frozen=True, kw_only=True)
class ProductCreated(ProductEvent):
    # Not ``name``: DomainEvent.name is the event's type name.
    code: str
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


@dataclass(frozen=True, kw_only=True)
class ProductActivated(ProductEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ProductDiscontinued(ProductEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ProductDeleted(ProductEvent):
    code: str
