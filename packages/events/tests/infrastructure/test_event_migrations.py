"""The Alembic history builds exactly the tables the records describe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Engine, inspect, text
from sqlalchemy.engine import URL

from events.infrastructure import (
    BRANCH_LABEL,
    VERSION_LOCATION,
    EventRecord,
    RegistrationRecord,
    TicketProductRecord,
)
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.engine import create_sync_engine
from shared_infrastructure.database.migrations import Migrations, make_alembic_config
from shared_infrastructure.testing.throwaway import throwaway_database

OWN_TABLES = frozenset(
    {
        EventRecord.__tablename__,
        RegistrationRecord.__tablename__,
        TicketProductRecord.__tablename__,
    }
)


@pytest.fixture(scope="module")
def empty_database(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    """A database of its own (the shared one is built by ``create_all``);
    every test starts with ``upgrade()``, so they do not depend on order."""
    with throwaway_database(db_kind, tmp_path_factory.mktemp("migrations")) as url:
        yield url


@pytest.fixture
def migrations(empty_database: URL) -> Migrations:
    return Migrations(
        make_alembic_config(version_locations=[VERSION_LOCATION], database_url=empty_database)
    )


@pytest.fixture(scope="module")
def engine(empty_database: URL, db_settings: Settings) -> Iterator[Engine]:
    built = create_sync_engine(db_settings, empty_database)
    yield built
    built.dispose()


def _own(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return type_ != "table" or name in OWN_TABLES


def test_one_branch_labelled_events_from_base(migrations: Migrations) -> None:
    first = migrations.history()[-1]

    assert first.branch_labels == (BRANCH_LABEL,)
    assert first.down_revisions == ()


def test_upgraded_schema_has_no_diff_with_the_records(
    migrations: Migrations, engine: Engine
) -> None:
    migrations.upgrade()

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": _own,
                "include_name": lambda name, type_, parents: type_ != "table" or name in OWN_TABLES,
            },
        )
        diffs = compare_metadata(context, Base.metadata)

    assert diffs == []


def test_upgraded_schema_has_every_check_constraint(migrations: Migrations, engine: Engine) -> None:
    migrations.upgrade()

    inspector = inspect(engine)
    for table_name in OWN_TABLES:
        expected = {
            constraint.name
            for constraint in Base.metadata.tables[table_name].constraints
            if isinstance(constraint, CheckConstraint)
        }
        found = {c["name"] for c in inspector.get_check_constraints(table_name)}
        assert expected <= found, table_name


def test_downgrade_removes_the_tables(migrations: Migrations, engine: Engine) -> None:
    migrations.upgrade()
    migrations.downgrade("base")

    assert OWN_TABLES.isdisjoint(inspect(engine).get_table_names())
    assert migrations.current() == ()


def test_the_registration_counter_is_filled_from_existing_registrations(
    migrations: Migrations, engine: Engine
) -> None:
    """An events table written before the counter existed upgrades with the
    counts its registrations give, so the next registration counts right."""
    migrations.downgrade("base")
    migrations.upgrade("c7e2a91f04b3")
    stamp = "2030-01-01 12:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (id, title, description, venue, starts_at, ends_at, capacity,"
                " seats_taken, status, version, created_at, updated_at) VALUES"
                " ('ev_old', 'Old', '', '', :start, :end, 10, 3, 'published', 1, :at, :at),"
                " ('ev_empty', 'Empty', '', '', :start, :end, 10, 0, 'published', 1, :at, :at)"
            ),
            {"start": "2031-01-01 20:00:00", "end": "2031-01-01 23:00:00", "at": stamp},
        )
        connection.execute(
            text(
                "INSERT INTO event_registrations (id, event_id, attendee_email, seats, status,"
                " registered_at) VALUES"
                " ('reg_1', 'ev_old', 'a@x.org', 2, 'confirmed', :at),"
                " ('reg_2', 'ev_old', 'b@x.org', 1, 'confirmed', :at),"
                " ('reg_3', 'ev_old', 'c@x.org', 1, 'cancelled', :at)"
            ),
            {"at": stamp},
        )

    migrations.upgrade()

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, registration_count FROM events")).all()
    counts = {row[0]: row[1] for row in rows}
    assert counts == {"ev_old": 2, "ev_empty": 0}
    migrations.downgrade("base")
