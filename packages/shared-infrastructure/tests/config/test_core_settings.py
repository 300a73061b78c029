"""Settings: every source works (env, ``.env``, ``config.json``), and a bad
value fails at start with a message naming the setting (and no password)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared_infrastructure.config.settings import (
    CONFIG_FILE_ENV,
    Environment,
    SettingsError,
    get_settings,
    load_settings,
)

MANAGED = (
    "DATABASE_URL",
    "DB_URL",
    "DATABASE_POOL_SIZE",
    "DB_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DB_MAX_OVERFLOW",
    "DATABASE_POOL_TIMEOUT",
    "DB_POOL_TIMEOUT",
    "DATABASE_POOL_RECYCLE",
    "DATABASE_POOL_PRE_PING",
    "DATABASE_ECHO",
    "ENVIRONMENT",
    "APP_ENV",
    "DATA_DIR",
    CONFIG_FILE_ENV,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No stray variable, ``.env`` or ``config.json`` of the machine leaks in."""
    for name in MANAGED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _error(**overrides: object) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(**overrides)
    return str(caught.value)


def test_defaults_use_the_embedded_sqlite_file(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    assert settings.url.get_backend_name() == "sqlite"
    assert settings.url.database == str(tmp_path / "data" / "app.db")
    assert settings.environment is Environment.LOCAL
    assert settings.database_pool_size == 5


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/app")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "20")
    monkeypatch.setenv("DATABASE_POOL_PRE_PING", "false")
    monkeypatch.setenv("ENVIRONMENT", "prod")
    settings = load_settings()
    assert settings.url.host == "db"
    assert settings.database_pool_size == 20
    assert settings.database_pool_pre_ping is False
    assert settings.environment is Environment.PROD


def test_seed_003_db_pool_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "11")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "22")
    settings = load_settings()
    assert (settings.database_pool_size, settings.database_max_overflow) == (11, 22)


def test_malformed_database_url_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url")
    message = _error()
    assert "DATABASE_URL" in message
    assert "not a database URL" in message


def test_unknown_driver_names_the_setting_and_the_driver() -> None:
    message = _error(database_url="postgresql+nosuchdriver://u@h/db")
    assert "DATABASE_URL" in message
    assert "nosuchdriver" in message


def test_unsupported_database_is_refused() -> None:
    assert "unsupported database 'oracle'" in _error(database_url="oracle://u@h/db")


def test_errors_never_show_the_password() -> None:
    message = _error(database_url="postgresql+nosuchdriver://app:s3cret@h/db")
    assert "s3cret" not in message
    assert "app:***@h" in message


@pytest.mark.parametrize(
    ("variable", "value", "setting"),
    [
        ("DATABASE_POOL_SIZE", "-1", "DATABASE_POOL_SIZE"),
        ("DATABASE_POOL_SIZE", "many", "DATABASE_POOL_SIZE"),
        ("DATABASE_MAX_OVERFLOW", "-5", "DATABASE_MAX_OVERFLOW"),
        ("DATABASE_POOL_TIMEOUT", "0", "DATABASE_POOL_TIMEOUT"),
        ("ENVIRONMENT", "staging", "ENVIRONMENT"),
    ],
)
def test_bad_environment_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, setting: str
) -> None:
    monkeypatch.setenv(variable, value)
    assert setting in _error()


def test_every_bad_setting_is_listed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_POOL_SIZE", "-1")
    monkeypatch.setenv("DATABASE_URL", "postgresql+nosuchdriver://h/db")
    message = _error()
    assert "DATABASE_POOL_SIZE" in message
    assert "DATABASE_URL" in message


def test_dotenv_file(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(
        "DATABASE_URL=mysql+pymysql://u@db/app\nDATABASE_POOL_SIZE=7\n", encoding="utf-8"
    )
    settings = load_settings()
    assert settings.url.get_backend_name() == "mysql"
    assert settings.database_pool_size == 7


def test_bad_value_in_dotenv_names_the_setting(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text("DATABASE_POOL_SIZE=-2\n", encoding="utf-8")
    assert "DATABASE_POOL_SIZE" in _error()


def test_seed_001_config_json_nested(clean_environment: Path) -> None:
    config = {
        "database": {
            "url": "sqlite:///./app.db",
            "echo": False,
            "pool_size": 5,
            "max_overflow": 10,
            "pool_timeout": 30,
        }
    }
    (clean_environment / "config.json").write_text(json.dumps(config), encoding="utf-8")
    settings = load_settings()
    assert settings.database_url == "sqlite:///./app.db"
    assert settings.database_pool_timeout == 30


def test_config_file_named_by_environment_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps({"database_pool_size": 9}), encoding="utf-8")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(path))
    assert load_settings().database_pool_size == 9


def test_bad_value_in_config_json_names_the_setting(clean_environment: Path) -> None:
    config = {"database": {"pool_size": -1}}
    (clean_environment / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert "DATABASE_POOL_SIZE" in _error()


def test_missing_or_broken_config_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CONFIG_FILE_ENV, str(tmp_path / "missing.json"))
    assert CONFIG_FILE_ENV in _error()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(broken))
    assert "invalid JSON" in _error()


def test_priority_env_over_dotenv_over_config_json(
    monkeypatch: pytest.MonkeyPatch, clean_environment: Path
) -> None:
    (clean_environment / "config.json").write_text(
        json.dumps({"database": {"pool_size": 1, "max_overflow": 1, "pool_timeout": 1}}),
        encoding="utf-8",
    )
    (clean_environment / ".env").write_text(
        "DATABASE_POOL_SIZE=2\nDATABASE_MAX_OVERFLOW=2\n", encoding="utf-8"
    )
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    settings = load_settings()
    assert settings.database_pool_size == 3
    assert settings.database_max_overflow == 2
    assert settings.database_pool_timeout == 1


def test_keyword_arguments_win_and_get_settings_is_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    assert load_settings(database_pool_size=4).database_pool_size == 4
    assert get_settings() is get_settings()
    assert get_settings().database_pool_size == 3
