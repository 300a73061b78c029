"""URL flavours (sync/async driver) live next to the settings; this module
adds the check that the configured driver is installed (drivers are extras)."""

from __future__ import annotations

import importlib

from sqlalchemy.engine import URL

from shared_infrastructure.config.settings import SettingsError
from shared_infrastructure.config.urls import (
    async_url,
    is_sqlite,
    is_sqlite_memory,
    sync_url,
)

# driver -> (module to import, extra of shared-infrastructure that installs it).
_DRIVER_PACKAGES: dict[str, tuple[str, str | None]] = {
    "pysqlite": ("sqlite3", None),
    "aiosqlite": ("aiosqlite", "sqlite"),
    "psycopg": ("psycopg", "postgresql"),
    "asyncpg": ("asyncpg", "postgresql"),
    "psycopg2": ("psycopg2", None),
    "pymysql": ("pymysql", "mysql"),
    "aiomysql": ("aiomysql", "mysql"),
    "asyncmy": ("asyncmy", None),
}


class MissingDriver(SettingsError):
    """The configured database's driver is not installed (drivers are extras)."""


def require_driver(url: URL) -> None:
    """Raise :class:`MissingDriver` naming the extra to install when ``url``'s
    driver cannot be imported (SQLAlchemy would only say "No module named")."""
    driver = url.get_driver_name()
    module, extra = _DRIVER_PACKAGES.get(driver, (None, None))
    if module is None:
        return
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
        install = f"install shared-infrastructure[{extra}]" if extra else f"install {module}"
        shown = url.render_as_string(hide_password=True)
        raise MissingDriver(
            f"invalid settings: DATABASE_URL {shown} needs the {module} driver, "
            f"which is not installed: {install}"
        ) from None


__all__ = [
    "MissingDriver",
    "async_url",
    "is_sqlite",
    "is_sqlite_memory",
    "require_driver",
    "sync_url",
]
