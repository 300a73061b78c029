"""Persistence adapters of the catalog: record, mapper, repository, unit of
work, migrations and seed data. Only the composition root imports this."""

from product_catalog.infrastructure.mapper import ProductMapper
from product_catalog.infrastructure.migrations import BRANCH_LABEL, VERSION_LOCATION
from product_catalog.infrastructure.records import ProductRecord
from product_catalog.infrastructure.repository import SqlAlchemyProductRepository
from product_catalog.infrastructure.unit_of_work import SqlAlchemyProductCatalogUnitOfWork

__all__ = [
    "BRANCH_LABEL",
    "VERSION_LOCATION",
    "ProductMapper",
    "ProductRecord",
    "SqlAlchemyProductCatalogUnitOfWork",
    "SqlAlchemyProductRepository",
]
