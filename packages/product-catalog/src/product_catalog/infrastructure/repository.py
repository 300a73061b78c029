"""SQLAlchemy adapter of the ``ProductRepository`` port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.orm import InstrumentedAttribute

from product_catalog.domain import Product, ProductCode, ProductRepository
from product_catalog.infrastructure.mapper import ProductMapper
from product_catalog.infrastructure.records import ProductRecord
from shared_infrastructure.database.sessions import INCLUDE_DELETED
from shared_infrastructure.persistence import SqlAlchemyRepository


class SqlAlchemyProductRepository(SqlAlchemyRepository[Product, UUID], ProductRepository):
    entity_name = "Product"
    mapper = ProductMapper()
    # Keys are exactly the domain's QUERYABLE_FIELDS (a test holds them equal).
    queryable: ClassVar[Mapping[str, InstrumentedAttribute[Any]]] = {
        "code": ProductRecord.code,
        "name": ProductRecord.name,
        "description": ProductRecord.description,
        "status": ProductRecord.status,
        "price.amount": ProductRecord.price_amount,
        "price.currency": ProductRecord.price_currency,
    }

    async def get_by_code(self, code: ProductCode) -> Product | None:
        return await self._find_one(ProductRecord.code == str(code))

    async def code_in_use(self, code: ProductCode) -> bool:
        statement = select(exists().where(ProductRecord.code == str(code))).execution_options(
            **{INCLUDE_DELETED: True}
        )
        return bool(await self.session.scalar(statement))
