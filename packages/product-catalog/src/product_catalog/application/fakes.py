"""In-memory unit of work for the catalog's application tests (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from product_catalog.application.published_language import published_language
from product_catalog.application.unit_of_work import ProductCatalogUnitOfWork
from product_catalog.domain import QUERYABLE_FIELDS, Product, ProductCode, ProductRepository
from shared_infrastructure.application.fakes import (
    FakeUnitOfWork,
    InMemoryOutbox,
    InMemoryRepository,
)
from shared_infrastructure.domain import Filter, Op, QuerySpec


@dataclass
class InMemoryProductStore:
    """Plays the database: committed products, and every code ever used
    (the SQL table keeps soft-deleted rows, so their codes stay taken)."""

    products: dict[UUID, Product] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)


class InMemoryProductRepository(InMemoryRepository[Product, UUID], ProductRepository):
    def __init__(self, uow: FakeUnitOfWork, store: InMemoryProductStore) -> None:
        super().__init__(
            uow,
            store.products,
            entity_name="Product",
            unique_fields=("code",),
            queryable_fields=QUERYABLE_FIELDS,
        )
        self._store = store

    async def get_by_code(self, code: ProductCode) -> Product | None:
        page = await self.list(QuerySpec(filters=(Filter("code", Op.EQ, str(code)),), limit=1))
        return page.items[0] if page.items else None

    async def code_in_use(self, code: ProductCode) -> bool:
        return str(code) in self._store.used_codes

    def apply(self) -> None:
        self._store.used_codes.update(str(p.code) for p in self._added.values())
        super().apply()


class FakeProductCatalogUnitOfWork(FakeUnitOfWork, ProductCatalogUnitOfWork):
    """Give every unit of work of one test the same ``store`` (and the same
    ``outbox``, to assert the integration events a use case published)."""

    def __init__(self, store: InMemoryProductStore, outbox: InMemoryOutbox | None = None) -> None:
        super().__init__(published_language=published_language, outbox=outbox)
        self.store = store
        self.products = InMemoryProductRepository(self, store)
