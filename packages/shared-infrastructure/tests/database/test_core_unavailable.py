"""503 is for a database that cannot serve at all, not for a bad statement:
a missing table (migrations not applied) is a server error that no retry
fixes, even where the driver files it under "operational"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from shared_infrastructure.database.errors import (
    DatabaseError,
    DatabaseUnavailable,
    translate_error,
)


def test_a_missing_table_is_an_error_not_unavailability(session: Session) -> None:
    with pytest.raises(sa_exc.DBAPIError) as caught:
        session.execute(text("SELECT * FROM table_that_migrations_never_made"))
    translated = translate_error(caught.value)
    assert isinstance(translated, DatabaseError)
    assert not isinstance(translated, DatabaseUnavailable)


def test_a_missing_column_is_an_error_not_unavailability(session: Session) -> None:
    with pytest.raises(sa_exc.DBAPIError) as caught:
        session.execute(text("SELECT no_such_column FROM (SELECT 1 AS one) AS t"))
    assert not isinstance(translate_error(caught.value), DatabaseUnavailable)


def _connect_error(url: str) -> sa_exc.OperationalError:
    engine = create_engine(url)
    try:
        with pytest.raises(sa_exc.OperationalError) as caught, engine.connect():
            pass
    finally:
        engine.dispose()
    return caught.value


def test_a_database_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    error = _connect_error(f"sqlite:///{tmp_path / 'missing-directory' / 'app.db'}")
    assert isinstance(translate_error(error), DatabaseUnavailable)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app@127.0.0.1:1/app",
        "mysql+pymysql://app@127.0.0.1:1/app",
    ],
)
def test_a_server_that_refuses_connections_is_unavailable(url: str) -> None:
    assert isinstance(translate_error(_connect_error(url)), DatabaseUnavailable)


class _DriverError(Exception):
    """Stands in for a driver exception: only its code matters here."""

    def __init__(self, *args: object, sqlstate: str | None = None) -> None:
        super().__init__(*args)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "orig",
    [
        _DriverError("lock timeout", sqlstate="55P03"),  # PostgreSQL lock_not_available
        _DriverError("statement timeout", sqlstate="57014"),  # PostgreSQL query_canceled
        _DriverError(1205, "Lock wait timeout exceeded"),  # MariaDB
        _DriverError(1969, "Query execution was interrupted (max_statement_time)"),
    ],
)
def test_waiting_too_long_is_transient_unavailability(orig: Exception) -> None:
    error = sa_exc.OperationalError("UPDATE t SET x = 1", {}, orig)
    assert isinstance(translate_error(error), DatabaseUnavailable)
