"""Drivers are extras: a database whose driver is not installed fails at
start with a message naming the extra, not "No module named ..."."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shared_infrastructure.config.settings import Settings, SettingsError, load_settings
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.database.urls import MissingDriver


def _settings(tmp_path: Path, url: str) -> Settings:
    return load_settings(database_url=url, data_dir=tmp_path / "data")


@pytest.mark.parametrize(
    ("url", "blocked", "flavour", "extra"),
    [
        ("postgresql://app:secret@db.example/app", "psycopg", "sync", "postgresql"),
        ("postgresql://app:secret@db.example/app", "asyncpg", "async", "postgresql"),
        ("mysql://app:secret@db.example/app", "pymysql", "sync", "mysql"),
        ("mariadb+pymysql://app:secret@db.example/app", "aiomysql", "async", "mysql"),
        ("sqlite:///./app.db", "aiosqlite", "async", "sqlite"),
    ],
)
def test_a_missing_driver_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    blocked: str,
    flavour: str,
    extra: str,
) -> None:
    settings = _settings(tmp_path, url)
    # None in sys.modules makes the import fail as if the driver were absent.
    monkeypatch.setitem(sys.modules, blocked, None)
    create = create_sync_engine if flavour == "sync" else create_async_db_engine

    with pytest.raises(MissingDriver) as raised:
        create(settings)

    message = str(raised.value)
    assert f"needs the {blocked} driver" in message
    assert f"install shared-infrastructure[{extra}]" in message
    assert "secret" not in message
    assert isinstance(raised.value, SettingsError)


def test_an_installed_driver_builds_the_engine_without_connecting(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "postgresql://app:secret@db.example/app")

    engine = create_sync_engine(settings)

    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_a_driver_without_an_extra_names_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, "mysql+asyncmy://app@db.example/app")
    monkeypatch.setitem(sys.modules, "asyncmy", None)

    with pytest.raises(MissingDriver, match=r"needs the asyncmy driver, .*: install asyncmy$"):
        create_async_db_engine(settings)
