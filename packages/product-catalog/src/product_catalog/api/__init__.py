"""HTTP adapter of the catalog: a router factory and its schemas."""

from product_catalog.api.router import ServiceDependency, create_router
from product_catalog.api.schemas import (
    Price,
    ProductCreate,
    ProductListParams,
    ProductPageResponse,
    ProductResponse,
    ProductUpdate,
)

__all__ = [
    "Price",
    "ProductCreate",
    "ProductListParams",
    "ProductPageResponse",
    "ProductResponse",
    "ProductUpdate",
    "ServiceDependency",
    "create_router",
]
