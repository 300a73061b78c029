"""Lifecycle of a product: draft -> active -> discontinued."""

from __future__ import annotations

from enum import StrEnum


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    DISCONTINUED = "discontinued"

    def can_become(self, target: ProductStatus) -> bool:
        return target in _ALLOWED[self]


# Discontinued is final: a product once withdrawn is never sold again (a new
# code is created instead), so buyers' references stay unambiguous.
_ALLOWED: dict[ProductStatus, frozenset[ProductStatus]] = {
    ProductStatus.DRAFT: frozenset({ProductStatus.ACTIVE, ProductStatus.DISCONTINUED}),
    ProductStatus.ACTIVE: frozenset({ProductStatus.DISCONTINUED}),
    ProductStatus.DISCONTINUED: frozenset(),
}
