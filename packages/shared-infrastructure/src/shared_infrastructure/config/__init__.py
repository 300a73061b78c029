"""Configuration: pydantic-settings, read once at start and validated.

``app_config`` is the process-wide :class:`Settings` (``get_settings()``),
read on first access, never at import time.
"""

from typing import Any

from shared_infrastructure.config.settings import (
    Environment,
    Settings,
    SettingsError,
    default_database_url,
    get_settings,
    load_settings,
)

__all__ = [
    "Environment",
    "Settings",
    "SettingsError",
    "default_database_url",
    "get_settings",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    if name == "app_config":
        return get_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
