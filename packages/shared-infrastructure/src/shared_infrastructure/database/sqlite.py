"""SQLite made to behave: FKs enforced, WAL, busy timeout, real SAVEPOINTs,
Unicode-aware ``lower()``/``upper()``.

Python 3.11's ``sqlite3`` opens transactions lazily and on its own terms,
which breaks SAVEPOINT semantics (a released savepoint survives an outer
ROLLBACK). SQLAlchemy's documented fix: tell the driver to stay out of
transaction control and emit BEGIN ourselves.

Transactions are deferred (plain BEGIN) unless they were begun with write
intent (``write_intent.py``), so readers never block each other. A
transaction declared as a write begins IMMEDIATE: it holds the write lock
from the start and concurrent writers queue on the busy timeout. An
undeclared writer whose snapshot went stale (another connection committed
since it read) fails at once with SQLITE_BUSY_SNAPSHOT; the error
translation reports that as a concurrency conflict, like a serialization
failure on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event

from shared_infrastructure.database.write_intent import WRITE_INTENT

BUSY_TIMEOUT_MS = 30_000


def _unicode_case(convert: Callable[[str], str]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        if value is None or isinstance(value, bytes):
            return value
        return convert(value if isinstance(value, str) else str(value))

    return apply


# SQLite's own lower()/upper() fold ASCII only, so ILIKE ('lower(x) LIKE
# lower(y)') missed "CRÈME" for "crème", where PostgreSQL, MariaDB and the
# in-memory fakes match. Python's folding replaces them on every connection.
_UNICODE_FUNCTIONS = {"lower": _unicode_case(str.lower), "upper": _unicode_case(str.upper)}


def configure_sqlite_engine(engine: Engine, *, file_based: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        for name, function in _UNICODE_FUNCTIONS.items():
            dbapi_connection.create_function(name, 1, function, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if file_based:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_INTENT, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
