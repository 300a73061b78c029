"""Configuration: pydantic-settings, read once at start and validated."""

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
