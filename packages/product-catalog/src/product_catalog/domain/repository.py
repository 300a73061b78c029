"""The product repository port and the fields a query may name."""

from __future__ import annotations

from abc import abstractmethod
from uuid import UUID

from product_catalog.domain.product import Product
from product_catalog.domain.product_code import ProductCode
from shared_infrastructure.domain import Repository

# Domain field names a QuerySpec may filter or order on; every adapter must
# expose exactly these (the adapter tests check it) and reject the rest.
QUERYABLE_FIELDS: frozenset[str] = frozenset(
    {"code", "name", "description", "status", "price.amount", "price.currency"}
)


class ProductRepository(Repository[Product, UUID]):
    entity_name = "Product"

    @abstractmethod
    async def get_by_code(self, code: ProductCode) -> Product | None:
        """The live product with this code, if any."""

    @abstractmethod
    async def code_in_use(self, code: ProductCode) -> bool:
        """True if any product ever had this code, deleted ones included:
        codes are never reused, so old orders and invoices stay unambiguous."""
