"""The catalog's unit of work on an ``AsyncDatabase``."""

from __future__ import annotations

from product_catalog.application import ProductCatalogUnitOfWork
from product_catalog.infrastructure.repository import SqlAlchemyProductRepository
from shared_infrastructure.persistence import SqlAlchemyUnitOfWork


class SqlAlchemyProductCatalogUnitOfWork(SqlAlchemyUnitOfWork, ProductCatalogUnitOfWork):
    """Joins the database's request scope when there is one (one session per
    HTTP request), else opens its own session for the block."""

    products: SqlAlchemyProductRepository

    def _create_repositories(self) -> None:
        self.products = SqlAlchemyProductRepository(self)
