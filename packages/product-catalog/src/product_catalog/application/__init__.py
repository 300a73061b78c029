"""Use cases of the catalog, written against ports (no SQL, no HTTP)."""

from product_catalog.application.queries import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    SORT_FIELDS,
    ProductListQuery,
)
from product_catalog.application.service import EventPublisher, ProductChanges, ProductService
from product_catalog.application.unit_of_work import ProductCatalogUnitOfWork
from product_catalog.application.views import ProductPage, ProductView

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "SORT_FIELDS",
    "EventPublisher",
    "ProductCatalogUnitOfWork",
    "ProductChanges",
    "ProductListQuery",
    "ProductPage",
    "ProductService",
    "ProductView",
]
