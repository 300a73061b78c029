"""One configured URL, two drivers: pick the sync and the async flavour.

``DATABASE_URL`` may name either flavour (or none); the factory derives the
other so one setting serves the API (async) and scripts/migrations (sync).
"""

from __future__ import annotations

import importlib

from sqlalchemy.engine import URL, make_url

from shared_infrastructure.config.settings import SettingsError

# backend -> (sync driver, async driver)
_DRIVERS: dict[str, tuple[str, str]] = {
    "sqlite": ("pysqlite", "aiosqlite"),
    "postgresql": ("psycopg", "asyncpg"),
    "mysql": ("pymysql", "aiomysql"),
    "mariadb": ("pymysql", "aiomysql"),
}
# Drivers that serve both worlds with one name.
_DUAL = {"psycopg"}
_ASYNC_ONLY = {"aiosqlite", "asyncpg", "aiomysql", "asyncmy"}


def _backend(url: URL) -> str:
    return url.get_backend_name()


def sync_url(url: URL | str) -> URL:
    url = make_url(url)
    backend = _backend(url)
    driver = url.get_driver_name() if "+" in url.drivername else ""
    if driver and driver not in _ASYNC_ONLY and driver != "psycopg2":
        return url
    return url.set(drivername=f"{backend}+{_DRIVERS[backend][0]}")


def async_url(url: URL | str) -> URL:
    url = make_url(url)
    backend = _backend(url)
    driver = url.get_driver_name() if "+" in url.drivername else ""
    if driver in _ASYNC_ONLY or driver in _DUAL:
        return url
    return url.set(drivername=f"{backend}+{_DRIVERS[backend][1]}")


def is_sqlite(url: URL) -> bool:
    return _backend(url) == "sqlite"


def is_sqlite_memory(url: URL) -> bool:
    return is_sqlite(url) and url.database in (None, "", ":memory:")


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
