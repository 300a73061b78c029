"""SQLAlchemy 2 adapters: engines, ``Base``, sessions, transactions, errors,
health, schema utilities, migrations and the generic repository.

Everything the seeds document is importable from here under its name::

    from shared_infrastructure.database import (
        Base, TimestampMixin, SoftDeleteMixin, VersionMixin, BaseModel,
        Database, AsyncDatabase, init_database, close_database,
        get_session, get_sync_session, get_db, transaction, savepoint,
        BaseRepository, check_database_health, run_migrations,
    )

Nothing here connects or builds an engine at import time.
"""

from shared_infrastructure.database.active_record import BaseModel
from shared_infrastructure.database.base import NAMING_CONVENTION, Base, DataclassBase
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import (
    close_database,
    get_async_database,
    get_database,
    init_database,
    init_sync_database,
    use_default_databases,
)
from shared_infrastructure.database.engine import (
    create_async_db_engine,
    create_sync_engine,
    engine_options,
)
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
from shared_infrastructure.database.health import (
    check_database_health,
    check_database_health_sync,
    get_database_info,
    get_database_info_sync,
)
from shared_infrastructure.database.helpers import (
    create_session_factory,
    get_async_db,
    get_async_session,
    get_db,
    get_db_context,
    get_session,
    get_session_dependency,
    get_sync_session,
    is_in_transaction,
    savepoint,
    transaction,
)
from shared_infrastructure.database.migrations import (
    Migrations,
    check_migrations,
    create_migration,
    get_current_revision,
    get_migration_history,
    make_alembic_config,
    rollback_migration,
    run_migrations,
)
from shared_infrastructure.database.mixins import SoftDeleteMixin, TimestampMixin, VersionMixin
from shared_infrastructure.database.repository import (
    AsyncBaseRepository,
    BaseRepository,
    SyncBaseRepository,
)
from shared_infrastructure.database.schema import (
    create_all,
    create_db_tables,
    create_table,
    drop_all,
    drop_db,
    drop_table,
    init_db,
    reset_db,
    table_exists,
)
from shared_infrastructure.database.sessions import (
    INCLUDE_DELETED,
    AppSession,
    create_async_session_factory,
    create_sync_session_factory,
)
from shared_infrastructure.database.types import UtcDateTime, utcnow

__all__ = [
    "INCLUDE_DELETED",
    "NAMING_CONVENTION",
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
    "check_migrations",
    "close_database",
    "create_all",
    "create_async_db_engine",
    "create_async_session_factory",
    "create_db_tables",
    "create_migration",
    "create_session_factory",
    "create_sync_engine",
    "create_sync_session_factory",
    "create_table",
    "drop_all",
    "drop_db",
    "drop_table",
    "engine_options",
    "get_async_database",
    "get_async_db",
    "get_async_session",
    "get_current_revision",
    "get_database",
    "get_database_info",
    "get_database_info_sync",
    "get_db",
    "get_db_context",
    "get_migration_history",
    "get_session",
    "get_session_dependency",
    "get_sync_session",
    "init_database",
    "init_db",
    "init_sync_database",
    "is_in_transaction",
    "make_alembic_config",
    "reset_db",
    "rollback_migration",
    "run_migrations",
    "savepoint",
    "table_exists",
    "transaction",
    "translate_error",
    "use_default_databases",
    "utcnow",
]
