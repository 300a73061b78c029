"""Compatibility names: every spelling the usage guides import, mapped onto
the canonical API (docs/database.md, "Compatibility names", has the table).

New code uses the canonical names of :mod:`shared_infrastructure.database`.
These stay importable from here and, lazily, from the package itself.

The module-level objects (``engine``, ``SessionLocal``, ``async_engine``,
``AsyncSessionLocal``, ``sync_engine``, ``db``, ``metadata``) are resolved
on access (module ``__getattr__``): importing this module connects to
nothing and builds no engine. They are the default databases' engines and
session factories (``init_database()`` / settings), so every spelling
shares one pool.
"""

from __future__ import annotations

from typing import Any

from shared_infrastructure.database.base import NAMING_CONVENTION
from shared_infrastructure.database.defaults import (
    get_async_database,
    get_database,
    init_sync_database,
)
from shared_infrastructure.database.engine import (
    create_db_engine,
    create_test_engine,
    engine_options,
)
from shared_infrastructure.database.health import get_database_info, get_database_info_sync
from shared_infrastructure.database.helpers import (
    create_session_factory,
    get_async_db,
    get_async_session,
    get_db,
    get_db_context,
    get_session_dependency,
)
from shared_infrastructure.database.migrations import (
    check_migrations,
    create_migration,
    get_current_revision,
    get_migration_history,
    make_alembic_config,
    rollback_migration,
    run_migrations,
)
from shared_infrastructure.database.schema import (
    create_db_tables,
    create_table,
    drop_db,
    drop_table,
    init_db,
    reset_db,
    table_exists,
)
from shared_infrastructure.database.sessions import (
    create_async_session_factory,
    create_sync_session_factory,
)
from shared_infrastructure.database.types import utcnow


# name -> how to resolve it on access
_LAZY = {
    "engine": lambda: get_database().engine,
    "sync_engine": lambda: get_database().engine,
    "SessionLocal": lambda: get_database().session_factory,
    "async_engine": lambda: get_async_database().engine,
    "AsyncSessionLocal": lambda: get_async_database().session_factory,
    "db": get_database,
    "metadata": lambda: _base_metadata(),
}


def _base_metadata() -> Any:
    from shared_infrastructure.database.base import Base  # noqa: PLC0415

    return Base.metadata


LAZY_NAMES = frozenset(_LAZY)


def __getattr__(name: str) -> Any:
    resolve = _LAZY.get(name)
    if resolve is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return resolve()


__all__ = [
    "NAMING_CONVENTION",
    "create_async_session_factory",
    "create_db_engine",
    "create_db_tables",
    "create_migration",
    "create_session_factory",
    "create_sync_session_factory",
    "create_table",
    "create_test_engine",
    "check_migrations",
    "drop_db",
    "drop_table",
    "engine_options",
    "get_async_db",
    "get_async_session",
    "get_current_revision",
    "get_database_info",
    "get_database_info_sync",
    "get_db",
    "get_db_context",
    "get_migration_history",
    "get_session_dependency",
    "init_db",
    "init_sync_database",
    "make_alembic_config",
    "reset_db",
    "rollback_migration",
    "run_migrations",
    "table_exists",
    "utcnow",
]
