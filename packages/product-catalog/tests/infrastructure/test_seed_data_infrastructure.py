"""The seed script loads the sample products once, however often it runs."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import URL

from product_catalog.application import ProductService
from product_catalog.infrastructure import (
    BRANCH_LABEL,
    VERSION_LOCATION,
    ProductRecord,
    SqlAlchemyProductCatalogUnitOfWork,
)
from product_catalog.infrastructure.seed_data import SAMPLE_PRODUCTS, main, seed_products
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.migrations import Migrations, make_alembic_config
from shared_infrastructure.testing.throwaway import throwaway_database

SAMPLE_CODES = [sample.code for sample in SAMPLE_PRODUCTS]


def service(database: AsyncDatabase) -> ProductService:
    return ProductService(lambda: SqlAlchemyProductCatalogUnitOfWork(database))


async def test_seeding_twice_inserts_once(database: AsyncDatabase) -> None:
    first = await seed_products(database)
    second = await seed_products(database)
    assert first.created == SAMPLE_CODES
    assert (second.created, second.skipped) == ([], SAMPLE_CODES)
    page = await service(database).list()
    assert [item.code for item in page.items] == SAMPLE_CODES
    statuses = {item.code: item.status for item in page.items}
    assert statuses["PROD001"] == "active"
    assert statuses["PROD005"] == "draft"


async def test_existing_and_deleted_codes_are_left_alone(database: AsyncDatabase) -> None:
    catalog = service(database)
    mine = await catalog.create(
        code="PROD001", name="My own", price_amount="1.00", price_currency="EUR"
    )
    deleted = await catalog.create(
        code="PROD002", name="Gone", price_amount="1.00", price_currency="EUR"
    )
    await catalog.delete(deleted.id)
    result = await seed_products(database)
    assert result.skipped == ["PROD001", "PROD002"]
    assert (await catalog.get(mine.id)).name == "My own"


@pytest.fixture
def migrated_url(db_kind: str, tmp_path: Path) -> Iterator[URL]:
    with throwaway_database(db_kind, tmp_path) as url:
        Migrations(
            make_alembic_config(
                VERSION_LOCATION,
                database_url=url,
                target_metadata=Base.metadata,
                include_tables={ProductRecord.__tablename__},
            )
        ).upgrade(f"{BRANCH_LABEL}@head")
        yield url


def test_the_command_line_seeds_a_migrated_database_idempotently(
    migrated_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_url.render_as_string(hide_password=False)
    assert main(["--database-url", url]) == 0
    assert "created: PROD001, PROD002" in capsys.readouterr().out
    assert main(["--database-url", url]) == 0
    assert "created: none" in capsys.readouterr().out
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(ProductRecord))
    finally:
        engine.dispose()
    assert count == len(SAMPLE_PRODUCTS)


def test_the_command_line_explains_a_database_without_migrations(
    db_kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with throwaway_database(db_kind, tmp_path) as url:
        assert main(["--database-url", url.render_as_string(hide_password=False)]) == 2
    assert "apply the migrations first" in capsys.readouterr().err
