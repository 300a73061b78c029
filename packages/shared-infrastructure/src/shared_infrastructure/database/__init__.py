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
    from sqlalchemy import Engine, MetaData
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
    from sqlalchemy.orm import Session, sessionmaker

    from shared_infrastructure.database.compat import (
        NAMING_CONVENTION,
        check_migrations,
        create_async_session_factory,
        create_db_engine,
        create_db_tables,
        create_migration,
        create_session_factory,
        create_sync_session_factory,
        create_table,
        create_test_engine,
        drop_db,
        drop_table,
        engine_options,
        get_async_db,
        get_async_session,
        get_current_revision,
        get_database_info,
        get_database_info_sync,
        get_db,
        get_db_context,
        get_migration_history,
        get_session_dependency,
        init_db,
        init_sync_database,
        make_alembic_config,
        reset_db,
        rollback_migration,
        run_migrations,
        table_exists,
        utcnow,
    )

    engine: Engine
    sync_engine: Engine
    SessionLocal: sessionmaker[Session]
    async_engine: AsyncEngine
    AsyncSessionLocal: async_sessionmaker[AsyncSession]
    db: Database
    metadata: MetaData

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
    if name in compat.__all__ or name in compat.LAZY_NAMES:
        return getattr(compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
