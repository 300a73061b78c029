"""Sample products for a fresh database (what a ``scripts/seed_data.py`` does).

Idempotent: a product whose code is already in use (even by a deleted
product) is skipped, so running the script twice inserts once, and two
concurrent runs cannot both insert (the unique code decides). Products go
through the application service, so samples obey every catalog rule.

Run it against the configured ``DATABASE_URL`` after the migrations::

    uv run python -m product_catalog.infrastructure.seed_data [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from product_catalog.application import ProductService
from product_catalog.infrastructure.records import ProductRecord
from product_catalog.infrastructure.unit_of_work import SqlAlchemyProductCatalogUnitOfWork
from shared_infrastructure.config.settings import load_settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.schema import table_exists_async
from shared_infrastructure.domain import Conflict


@dataclass(frozen=True, slots=True)
class SampleProduct:
    code: str
    name: str
    description: str
    amount: Decimal
    currency: str
    active: bool = True


SAMPLE_PRODUCTS: tuple[SampleProduct, ...] = (
    SampleProduct("PROD001", "Sample Product", "A sample product", Decimal("9.99"), "EUR"),
    SampleProduct(
        "PROD002", "Espresso machine", "15 bar pump, steam wand", Decimal("249.00"), "EUR"
    ),
    SampleProduct("PROD003", "Coffee grinder", "Conical burr grinder", Decimal("89.90"), "EUR"),
    SampleProduct("PROD004", "Milk jug", "350 ml, stainless steel", Decimal("14.50"), "USD"),
    SampleProduct(
        "PROD005", "Descaler", "Citric acid descaler, 500 ml", Decimal("7.95"), "CHF", False
    ),
)


@dataclass
class SeedResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


async def seed_products(
    database: AsyncDatabase, products: Iterable[SampleProduct] = SAMPLE_PRODUCTS
) -> SeedResult:
    """Insert the products whose code is not in use yet; report both lists."""
    service = ProductService(lambda: SqlAlchemyProductCatalogUnitOfWork(database))
    result = SeedResult()
    for sample in products:
        try:
            view = await service.create(
                code=sample.code,
                name=sample.name,
                description=sample.description,
                price_amount=sample.amount,
                price_currency=sample.currency,
            )
        except Conflict:  # code in use: checked first, or lost a race on the constraint
            result.skipped.append(sample.code)
            continue
        if sample.active:
            await service.activate(view.id, expected_version=view.version)
        result.created.append(sample.code)
    return result


class SchemaMissing(RuntimeError):
    """The table is not there: the migrations have not been applied."""


async def _run(database_url: str | None) -> SeedResult:
    settings = load_settings(database_url=database_url) if database_url else load_settings()
    database = AsyncDatabase.from_settings(settings)
    try:
        if not await table_exists_async(ProductRecord.__tablename__, database.engine):
            raise SchemaMissing(
                f"table {ProductRecord.__tablename__!r} does not exist in "
                f"{settings.url.render_as_string(hide_password=True)}: apply the migrations first"
            )
        return await seed_products(database)
    finally:
        await database.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the sample products (idempotent).")
    parser.add_argument("--database-url", help="overrides DATABASE_URL for this run")
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(_run(args.database_url))
    except SchemaMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"created: {', '.join(result.created) or 'none'}")
    print(f"already present: {', '.join(result.skipped) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
