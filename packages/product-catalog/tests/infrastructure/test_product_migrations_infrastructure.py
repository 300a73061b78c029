"""The catalog's Alembic branch builds exactly the schema the record declares
(``alembic check``), on a fresh database of the selected kind."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL

from product_catalog.infrastructure import BRANCH_LABEL, VERSION_LOCATION, ProductRecord
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.migrations import Migrations, make_alembic_config
from shared_infrastructure.testing.throwaway import throwaway_database

TABLE = ProductRecord.__tablename__


@pytest.fixture
def fresh_url(db_kind: str, tmp_path: Path) -> Iterator[URL]:
    with throwaway_database(db_kind, tmp_path) as url:
        yield url


def migrations(url: URL | None = None) -> Migrations:
    # Only this context's table: other contexts' tables may share the metadata.
    return Migrations(
        make_alembic_config(
            VERSION_LOCATION,
            database_url=url,
            target_metadata=Base.metadata,
            include_tables={TABLE},
        )
    )


def table_names(url: URL) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_the_branch_has_one_root_labelled_for_the_context() -> None:
    catalog = migrations()
    assert catalog.branch_labels() == (BRANCH_LABEL,)
    [root] = [revision for revision in catalog.history() if revision.is_base]
    assert root.down_revisions == ()
    assert BRANCH_LABEL in root.branch_labels


def test_upgrade_leaves_no_drift_between_record_and_migrations(fresh_url: URL) -> None:
    catalog = migrations(fresh_url)
    catalog.upgrade(f"{BRANCH_LABEL}@head")
    assert catalog.is_up_to_date()
    assert catalog.check() == []
    assert TABLE in table_names(fresh_url)


def test_downgrade_removes_the_table(fresh_url: URL) -> None:
    catalog = migrations(fresh_url)
    catalog.upgrade(f"{BRANCH_LABEL}@head")
    catalog.downgrade("base")
    assert TABLE not in table_names(fresh_url)
    assert catalog.current() == ()
