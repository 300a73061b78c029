"""Compatibility names: every spelling the usage guides import, mapped onto
the canonical API (docs/database.md, "Compatibility names", has the table).

New code uses the canonical names of :mod:`shared_infrastructure.database`.
These stay importable from here and, lazily, from the package itself.

The module-level objects (``engine``, ``SessionLocal``, ``async_engine``,
``AsyncSessionLocal``, ``sync_engine``, ``db``) stand for the default
databases' engines, session factories and ``Database``, resolved on every
use: importing them builds no engine, and they follow ``init_database()``
and ``use_default_databases()``. Every spelling shares one pool.
"""

from __future__ import annotations

from shared_infrastructure.database.base import NAMING_CONVENTION, Base
from shared_infrastructure.database.defaults import create_db_engine, init_sync_database
from shared_infrastructure.database.defaults_proxies import (
    AsyncSessionLocal,
    SessionLocal,
    async_engine,
    db,
    engine,
)
from shared_infrastructure.database.engine import create_test_engine, engine_options
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

#: The usage guides' module-level objects (``engine`` is importable from
#: this module and from ``.sync``; on the package that name is the
#: ``engine`` factory module): stand-ins that resolve the
#: current default database on every use.
sync_engine = engine
metadata = Base.metadata

__all__ = [
    "NAMING_CONVENTION",
    "AsyncSessionLocal",
    "SessionLocal",
    "async_engine",
    "check_migrations",
    "create_async_session_factory",
    "create_db_engine",
    "create_db_tables",
    "create_migration",
    "create_session_factory",
    "create_sync_session_factory",
    "create_table",
    "create_test_engine",
    "db",
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
    "metadata",
    "reset_db",
    "rollback_migration",
    "run_migrations",
    "sync_engine",
    "table_exists",
    "utcnow",
]
