"""Fixtures for the Alembic helpers: an empty database of the selected kind
(never the plugin's per-run database, whose tables come from ``create_all``)
and readers for what a migration left in it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL

from shared_infrastructure.testing.throwaway import throwaway_database


@pytest.fixture
def empty_database(db_kind: str, tmp_path: Path) -> Iterator[URL]:
    """A brand-new, empty database for one test (dropped afterwards)."""
    (tmp_path / "db").mkdir()
    with throwaway_database(db_kind, tmp_path / "db") as url:
        yield url


@pytest.fixture
def table_names() -> Callable[[URL], set[str]]:
    """``table_names(url)``: the tables that exist in that database."""

    def read(url: URL) -> set[str]:
        engine = create_engine(url)
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    return read


@pytest.fixture
def column_names() -> Callable[[URL, str], set[str]]:
    """``column_names(url, table)``: the columns of a table in that database."""

    def read(url: URL, table: str) -> set[str]:
        engine = create_engine(url)
        try:
            return {column["name"] for column in inspect(engine).get_columns(table)}
        finally:
            engine.dispose()

    return read
