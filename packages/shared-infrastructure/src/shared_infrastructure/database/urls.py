"""URL flavours (sync/async driver); defined next to the settings."""

from shared_infrastructure.config.urls import (
    async_url,
    is_sqlite,
    is_sqlite_memory,
    sync_url,
)

__all__ = ["async_url", "is_sqlite", "is_sqlite_memory", "sync_url"]
