"""Logging for the service: one line per record, with the request id.

Every record (the app's, SQLAlchemy's, uvicorn's access log) carries
``[request_id]`` when it was emitted while serving a request, so the id a
client sees in ``X-Request-ID`` and in an error body finds the log lines,
including the stack trace of a 5xx (which only the log has).
"""

from __future__ import annotations

import logging
from typing import Any

from shared_infrastructure.web import get_request_id

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"
ACCESS_FORMAT = (
    '%(asctime)s %(levelname)-7s access [%(request_id)s] %(client_addr)s "%(request_line)s" '
    "%(status_code)s"
)
LEVELS = ("critical", "error", "warning", "info", "debug")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = get_request_id() or "-"
        return True


class AlembicChatterFilter(logging.Filter):
    """Keeps "Running upgrade ..." lines, drops Alembic's setup chatter."""

    CHATTER = ("Context impl", "Will assume", "setting up autogenerate plugin")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.CHATTER)


def logging_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping, also given to uvicorn."""
    name = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "alembic_chatter": {"()": AlembicChatterFilter},
        },
        "formatters": {
            "default": {"format": FORMAT},
            "access": {"()": "uvicorn.logging.AccessFormatter", "fmt": ACCESS_FORMAT},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id", "alembic_chatter"],
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["request_id"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": name, "propagate": False},
            "uvicorn.error": {"level": name},
            "uvicorn.access": {"handlers": ["access"], "level": name, "propagate": False},
            "alembic": {"level": "INFO"},
        },
        "root": {"handlers": ["default"], "level": name},
    }


def configure_logging(level: str = "info") -> None:
    import logging.config

    logging.config.dictConfig(logging_config(level))
