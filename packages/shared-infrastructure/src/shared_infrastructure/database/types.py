"""Column types that behave the same on every supported database."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine


def utcnow() -> datetime:
    return datetime.now(UTC)


# dialect (one per engine) -> the zone naive datetimes bound through it are in
_NAIVE_ZONES: WeakKeyDictionary[Dialect, tzinfo] = WeakKeyDictionary()


def set_naive_timezone(dialect: Dialect, zone: tzinfo) -> None:
    """Read naive datetimes bound through this engine's dialect in ``zone``."""
    _NAIVE_ZONES[dialect] = zone


def naive_timezone(dialect: Dialect | None = None) -> tzinfo:
    """The zone naive datetimes are read in: the engine's, else UTC."""
    return _NAIVE_ZONES.get(dialect, UTC) if dialect is not None else UTC


def aware(value: datetime, zone: tzinfo = UTC) -> datetime:
    """``value`` itself if it is aware, else the same wall time in ``zone``."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=zone)
    return value


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, always UTC in the database.

    PostgreSQL stores ``timestamptz``; SQLite and MariaDB have no zone, so
    the value is stored as naive UTC (microseconds kept: ``DATETIME(6)`` on
    MariaDB) and handed back aware. Naive input is read as a time in the
    engine's configured zone (``TIMEZONE``, default UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"{value!r} is not a datetime")
        value = aware(value, naive_timezone(dialect))
        value = value.astimezone(UTC)
        if dialect.name != "postgresql":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class utc_now(FunctionElement[datetime]):
    """The current time in UTC, computed by the database: the server-side
    default of the timestamp columns (``now()`` on PostgreSQL,
    ``CURRENT_TIMESTAMP`` on SQLite, ``UTC_TIMESTAMP(6)`` on MariaDB, whose
    ``NOW()`` is in the session's zone)."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(utc_now)
def _utc_now_default(element: utc_now, compiler: SQLCompiler, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(utc_now, "postgresql")
def _utc_now_postgresql(element: utc_now, compiler: SQLCompiler, **kw: Any) -> str:
    return "now()"


@compiles(utc_now, "mysql")
@compiles(utc_now, "mariadb")
def _utc_now_mysql(element: utc_now, compiler: SQLCompiler, **kw: Any) -> str:
    return "UTC_TIMESTAMP(6)"


#: ``Mapped[str]`` without a length: unbounded ``VARCHAR`` where the database
#: allows it, ``VARCHAR(255)`` on MariaDB/MySQL, which require a length.
DEFAULT_STRING = String().with_variant(String(255), "mysql", "mariadb")
