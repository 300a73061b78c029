"""Product aggregate <-> ``ProductRecord``: pure translation, no I/O."""

from __future__ import annotations

from product_catalog.domain import Money, Product, ProductCode, ProductStatus
from product_catalog.infrastructure.records import ProductRecord
from shared_infrastructure.persistence import AggregateMapper


class ProductMapper(AggregateMapper[Product, ProductRecord]):
    record_type = ProductRecord

    def to_aggregate(self, record: ProductRecord) -> Product:
        return Product(
            id=record.id,
            code=ProductCode(record.code),
            name=record.name,
            description=record.description,
            price=Money(record.price_amount, record.price_currency),
            status=ProductStatus(record.status),
            version=record.version,
        )

    def to_record(self, aggregate: Product, record: ProductRecord | None = None) -> ProductRecord:
        if record is None:
            # The code never changes after creation, so it is written once.
            record = ProductRecord(id=aggregate.id, code=str(aggregate.code))
        record.name = aggregate.name
        record.description = aggregate.description
        record.price_amount = aggregate.price.amount
        record.price_currency = aggregate.price.currency
        record.status = aggregate.status.value
        return record
