"""Pessimistic locking that works on every supported database.

``SELECT ... FOR UPDATE`` makes concurrent writers of one aggregate queue
on PostgreSQL and MariaDB. SQLite has no row locks and starts transactions
deferred: a reader that later writes beside an active writer fails at once.
There, a write statement that matches no row is issued first: it takes the
database write lock (honouring the busy timeout) without changing anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, false, update
from sqlalchemy.sql import Executable


def write_lock_preamble(dialect_name: str, table: Table) -> Executable | None:
    if dialect_name != "sqlite":
        return None
    key = table.primary_key.columns.values()[0]
    values: dict[str, Any] = {key.name: key}
    return update(table).where(false()).values(values)
