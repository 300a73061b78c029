"""Per-run throwaway databases on the local servers (and SQLite files)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

DEFAULT_SERVER_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
SERVER_URL_ENV = {"postgresql": "TEST_POSTGRESQL_URL", "mariadb": "TEST_MARIADB_URL"}
KINDS = ("sqlite", "postgresql", "mariadb")


def server_url(kind: str) -> URL:
    return make_url(os.environ.get(SERVER_URL_ENV[kind], DEFAULT_SERVER_URLS[kind]))


def _unique_name() -> str:
    return f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"


@contextmanager
def throwaway_database(kind: str, directory: Path) -> Iterator[URL]:
    """Create an empty database for one test run and drop it afterwards."""
    if kind == "sqlite":
        yield make_url(f"sqlite:///{directory / 'test.db'}")
        return
    if kind not in SERVER_URL_ENV:
        raise ValueError(f"unknown test database {kind!r}; choose one of {', '.join(KINDS)}")
    admin_url = server_url(kind)
    name = _unique_name()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        with admin.connect() as connection:
            if kind == "postgresql":
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                connection.execute(
                    text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                )
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            if kind == "postgresql":
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()
