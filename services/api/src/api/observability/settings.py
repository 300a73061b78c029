"""What the operator chooses about logs and metrics, read from the environment.

A service-level settings class (not the data layer's ``Settings``): these
knobs belong to the process that serves HTTP. Traces are not here: they
follow the standard ``OTEL_*`` variables (:mod:`api.observability.tracing`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared_infrastructure.config.settings import SettingsError


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"


class ObservabilitySettings(BaseSettings):
    """``LOG_FORMAT``, ``LOG_LEVEL``, ``METRICS_ENABLED`` (environment or ``.env``)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    log_format: LogFormat = Field(
        LogFormat.TEXT, description="text (one readable line) or json (one object a line)"
    )
    log_level: LogLevel = Field(LogLevel.INFO, description="the root logger's level")
    metrics_enabled: bool = Field(True, description="serve GET /metrics and record requests")

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


def load_observability_settings(**overrides: object) -> ObservabilitySettings:
    """Read the settings; a bad value is a :class:`SettingsError` naming the variable."""
    try:
        return ObservabilitySettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']).upper()}: {item['msg']} "
            f"(got {item.get('input')!r})"
            for item in error.errors()
        ]
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None


__all__ = [
    "LogFormat",
    "LogLevel",
    "ObservabilitySettings",
    "load_observability_settings",
]
