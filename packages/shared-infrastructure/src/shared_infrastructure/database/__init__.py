"""SQLAlchemy 2 adapters: records, databases, sessions, transactions,
errors, health, migrations and the generic repository.

The names below are the canonical API (docs/database.md). Every other
spelling the usage guides import (``get_db``, ``SessionLocal``,
``engine``, ``init_db``, ``run_migrations``...) lives in
:mod:`shared_infrastructure.database.compat` and is importable from here
too, resolved on first access. Nothing here connects or builds an engine
at import time.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from shared_infrastructure.database.active_record import BaseModel
from shared_infrastructure.database.base import Base, DataclassBase
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import (
    close_database,
    get_async_database,
    get_database,
    init_database,
    use_default_databases,
)
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.database.errors import (
    DatabaseError,
    DatabaseUnavailable,
    IntegrityConflict,
    InvalidValue,
    NotFoundError,
    SerializationConflict,
    StaleVersionError,
    translate_error,
)
from shared_infrastructure.database.health import check_database_health, check_database_health_sync
from shared_infrastructure.database.helpers import (
    get_session,
    get_sync_session,
    is_in_transaction,
    savepoint,
    transaction,
)
from shared_infrastructure.database.migrations import Migrations
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin, VersionMixin
from shared_infrastructure.database.repository import (
    AsyncBaseRepository,
    BaseRepository,
    SyncBaseRepository,
)
from shared_infrastructure.database.schema import create_all, drop_all
from shared_infrastructure.database.sessions import INCLUDE_DELETED, AppSession
from shared_infrastructure.database.types import UtcDateTime

if TYPE_CHECKING:
    from shared_infrastructure.database.compat import (
        NAMING_CONVENTION as NAMING_CONVENTION,
    )
    from shared_infrastructure.database.compat import (
        AsyncSessionLocal as AsyncSessionLocal,
    )
    from shared_infrastructure.database.compat import (
        SessionLocal as SessionLocal,
    )
    from shared_infrastructure.database.compat import (
        async_engine as async_engine,
    )
    from shared_infrastructure.database.compat import (
        check_migrations as check_migrations,
    )
    from shared_infrastructure.database.compat import (
        create_async_session_factory as create_async_session_factory,
    )
    from shared_infrastructure.database.compat import (
        create_db_engine as create_db_engine,
    )
    from shared_infrastructure.database.compat import (
        create_db_tables as create_db_tables,
    )
    from shared_infrastructure.database.compat import (
        create_migration as create_migration,
    )
    from shared_infrastructure.database.compat import (
        create_session_factory as create_session_factory,
    )
    from shared_infrastructure.database.compat import (
        create_sync_session_factory as create_sync_session_factory,
    )
    from shared_infrastructure.database.compat import (
        create_table as create_table,
    )
    from shared_infrastructure.database.compat import (
        create_test_engine as create_test_engine,
    )
    from shared_infrastructure.database.compat import (
        db as db,
    )
    from shared_infrastructure.database.compat import (
        drop_db as drop_db,
    )
    from shared_infrastructure.database.compat import (
        drop_table as drop_table,
    )
    from shared_infrastructure.database.compat import (
        engine_options as engine_options,
    )
    from shared_infrastructure.database.compat import (
        get_async_db as get_async_db,
    )
    from shared_infrastructure.database.compat import (
        get_async_session as get_async_session,
    )
    from shared_infrastructure.database.compat import (
        get_current_revision as get_current_revision,
    )
    from shared_infrastructure.database.compat import (
        get_database_info as get_database_info,
    )
    from shared_infrastructure.database.compat import (
        get_database_info_sync as get_database_info_sync,
    )
    from shared_infrastructure.database.compat import (
        get_db as get_db,
    )
    from shared_infrastructure.database.compat import (
        get_db_context as get_db_context,
    )
    from shared_infrastructure.database.compat import (
        get_migration_history as get_migration_history,
    )
    from shared_infrastructure.database.compat import (
        get_session_dependency as get_session_dependency,
    )
    from shared_infrastructure.database.compat import (
        init_db as init_db,
    )
    from shared_infrastructure.database.compat import (
        init_sync_database as init_sync_database,
    )
    from shared_infrastructure.database.compat import (
        make_alembic_config as make_alembic_config,
    )
    from shared_infrastructure.database.compat import (
        metadata as metadata,
    )
    from shared_infrastructure.database.compat import (
        reset_db as reset_db,
    )
    from shared_infrastructure.database.compat import (
        rollback_migration as rollback_migration,
    )
    from shared_infrastructure.database.compat import (
        run_migrations as run_migrations,
    )
    from shared_infrastructure.database.compat import (
        sync_engine as sync_engine,
    )
    from shared_infrastructure.database.compat import (
        table_exists as table_exists,
    )
    from shared_infrastructure.database.compat import (
        utcnow as utcnow,
    )

__all__ = [
    "INCLUDE_DELETED",
    "AppSession",
    "AsyncBaseRepository",
    "AsyncDatabase",
    "Base",
    "BaseModel",
    "BaseRepository",
    "Database",
    "DatabaseError",
    "DatabaseUnavailable",
    "DataclassBase",
    "IntegrityConflict",
    "InvalidValue",
    "Migrations",
    "NotFoundError",
    "SerializationConflict",
    "SoftDeleteMixin",
    "StaleVersionError",
    "SyncBaseRepository",
    "TimestampMixin",
    "UtcDateTime",
    "VersionMixin",
    "check_database_health",
    "check_database_health_sync",
    "close_database",
    "create_all",
    "create_async_db_engine",
    "create_sync_engine",
    "drop_all",
    "get_async_database",
    "get_database",
    "get_session",
    "get_sync_session",
    "init_database",
    "is_in_transaction",
    "savepoint",
    "transaction",
    "translate_error",
    "use_default_databases",
]


def __getattr__(name: str) -> Any:
    """Compatibility names, imported from :mod:`.compat` on first access."""
    compat = import_module("shared_infrastructure.database.compat")
    if name in compat.__all__:
        return getattr(compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
