"""The catalog's unit-of-work port: one transaction, the product repository."""

from __future__ import annotations

from product_catalog.domain import ProductRepository
from shared_infrastructure.application import UnitOfWork


class ProductCatalogUnitOfWork(UnitOfWork):
    """What the use cases need from persistence; adapters subclass it."""

    products: ProductRepository
