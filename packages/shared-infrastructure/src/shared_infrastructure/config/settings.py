"""Settings for the data layer and the service.

Sources, highest priority first: keyword arguments, environment variables,
a ``.env`` file, a JSON config file (``config.json``, nested
``{"database": {"url": ...}}`` or flat ``{"database_url": ...}``), defaults.
Environment variable names are ``DATABASE_*``; the
``DB_POOL_*`` spellings are accepted too.
"""

from __future__ import annotations

import json
import os
import re
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from shared_infrastructure.config.urls import async_url

CONFIG_FILE_ENV = "APP_CONFIG_FILE"
SUPPORTED_DRIVERS: dict[str, frozenset[str]] = {
    "sqlite": frozenset({"pysqlite", "aiosqlite"}),
    "postgresql": frozenset({"psycopg", "asyncpg", "psycopg2"}),
    "mysql": frozenset({"pymysql", "aiomysql", "asyncmy"}),
    "mariadb": frozenset({"pymysql", "aiomysql", "asyncmy"}),
}


class Environment(StrEnum):
    TESTING = "testing"
    LOCAL = "local"
    DEV = "dev"
    PROD = "prod"


class SettingsError(ValueError):
    """Raised at start when a setting is malformed; names every bad setting."""


def workspace_root(start: Path | None = None) -> Path:
    """The nearest ancestor holding ``uv.lock`` (the workspace), else cwd."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "uv.lock").is_file():
            return candidate
    return here


def default_database_url(data_dir: Path | None = None) -> str:
    directory = data_dir or workspace_root() / "data"
    return f"sqlite:///{directory / 'app.db'}"


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every knob of the data layer. A bad value fails at start, by name."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
    )

    environment: Environment = Field(
        Environment.LOCAL, validation_alias=_alias("environment", "app_env")
    )
    database_url: str = Field("", validation_alias=_alias("database_url", "db_url"))
    database_pool_size: int = Field(
        5, ge=1, validation_alias=_alias("database_pool_size", "db_pool_size")
    )
    database_max_overflow: int = Field(
        10, ge=0, validation_alias=_alias("database_max_overflow", "db_max_overflow")
    )
    database_pool_timeout: float = Field(
        30.0, gt=0, validation_alias=_alias("database_pool_timeout", "db_pool_timeout")
    )
    database_pool_recycle: int = Field(
        3600, ge=-1, validation_alias=_alias("database_pool_recycle", "db_pool_recycle")
    )
    database_pool_pre_ping: bool = Field(
        True, validation_alias=_alias("database_pool_pre_ping", "db_pool_pre_ping")
    )
    database_pool_pre_ping_idle: float = Field(
        1.0,
        ge=0,
        validation_alias=_alias("database_pool_pre_ping_idle", "db_pool_pre_ping_idle"),
        description="pre-ping only connections idle this many seconds; 0: every checkout",
    )
    database_echo: bool = Field(False, validation_alias=_alias("database_echo", "db_echo"))
    database_echo_pool: bool = Field(
        False, validation_alias=_alias("database_echo_pool", "db_echo_pool")
    )
    data_dir: Path | None = Field(None, validation_alias=_alias("data_dir"))
    timezone: ZoneInfo = Field(ZoneInfo("UTC"), validation_alias=_alias("timezone", "tz"))
    app_name: str = Field("api", validation_alias=_alias("app_name"))
    app_version: str = Field("0.1.0", validation_alias=_alias("app_version"))

    @field_validator("timezone", mode="before")
    @classmethod
    def _check_timezone(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {value!r} (e.g. UTC, Europe/Paris)") from error
        return value

    max_request_body_bytes: int = Field(
        1024 * 1024, ge=1, validation_alias=_alias("max_request_body_bytes")
    )

    @field_validator("database_url", mode="after")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            url = make_url(value)
        except ArgumentError as error:
            raise ValueError(f"not a database URL: {value!r}") from error
        # Read the names from the URL itself: asking SQLAlchemy for the
        # driver would try to load an unknown dialect and raise instead.
        backend, _, driver = url.drivername.partition("+")
        if backend not in SUPPORTED_DRIVERS:
            supported = ", ".join(sorted(SUPPORTED_DRIVERS))
            raise ValueError(f"unsupported database {backend!r} (supported: {supported})")
        if driver and driver not in SUPPORTED_DRIVERS[backend]:
            drivers = ", ".join(sorted(SUPPORTED_DRIVERS[backend]))
            raise ValueError(f"unknown driver {driver!r} for {backend} (supported: {drivers})")
        return value

    @property
    def url(self) -> URL:
        """The configured URL; by default the embedded SQLite file, or an
        in-memory SQLite database when ``environment`` is ``testing``."""
        if self.database_url:
            return make_url(self.database_url)
        if self.is_testing:
            return make_url("sqlite://")
        return make_url(default_database_url(self.data_dir))

    @property
    def database_url_async(self) -> str:
        """The URL with the async driver of its database (``+asyncpg``...)."""
        return async_url(self.url).render_as_string(hide_password=False)

    @property
    def is_testing(self) -> bool:
        return self.environment is Environment.TESTING

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            JsonConfigFileSource(settings_cls),
            file_secret_settings,
        )


class JsonConfigFileSource(PydanticBaseSettingsSource):
    """The ``config.json`` file: ``$APP_CONFIG_FILE`` or ``./config.json``."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._data = self._load()

    @staticmethod
    def _load() -> dict[str, Any]:
        explicit = os.environ.get(CONFIG_FILE_ENV)
        path = Path(explicit) if explicit else Path("config.json")
        if not path.is_file():
            if explicit:
                raise SettingsError(f"{CONFIG_FILE_ENV}: config file {path} does not exist")
            return {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise SettingsError(f"config file {path}: invalid JSON ({error})") from error
        if not isinstance(raw, dict):
            raise SettingsError(f"config file {path}: expected a JSON object")
        flat: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, dict) and key in ("database", "db"):
                flat.update({f"database_{name}": item for name, item in value.items()})
            else:
                flat[key] = value
        return flat

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        names = set(self.settings_cls.model_fields)
        return {key: value for key, value in self._data.items() if key in names}


_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)[^/\s]*@")


def redact(text: str) -> str:
    """Mask URL passwords: settings errors end up in logs."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation errors into one readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]) or "settings"
            problems.append(f"{name.upper()}: {item['msg']} (got {item.get('input')!r})")
        raise SettingsError(redact("invalid settings: " + "; ".join(problems))) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read on first use (never at import time)."""
    return load_settings()


def __getattr__(name: str) -> Any:
    """``settings``: the process-wide settings, read on first access."""
    if name == "settings":
        return get_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
