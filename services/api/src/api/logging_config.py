"""Logging for the service: one line per record, with the request id.

Every record (the app's, SQLAlchemy's, the access log's) carries the request
id when it was emitted while serving a request, so the id a client sees in
``X-Request-ID`` and in an error body finds the log lines, including the
stack trace of a 5xx (which only the log has).

Two formats (``LOG_FORMAT``): ``text`` (the default, one readable line) and
``json`` (one object a line, :mod:`api.observability.logs`). The access log
is the app's own (:mod:`api.observability.middleware`), written when a
response ends, with its route template and duration; uvicorn's is off.
"""

from __future__ import annotations

import logging
from typing import Any

from shared_infrastructure.web import get_request_id

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"
ACCESS_FORMAT = "%(asctime)s %(levelname)-7s access [%(request_id)s] %(message)s"
LEVELS = ("critical", "error", "warning", "info", "debug")
FORMATS = ("text", "json")
JSON_FORMATTER = "api.observability.logs.JsonFormatter"


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


def _formatters(log_format: str) -> dict[str, Any]:
    if log_format == "json":
        return {"default": {"()": JSON_FORMATTER}, "access": {"()": JSON_FORMATTER}}
    if log_format == "text":
        return {"default": {"format": FORMAT}, "access": {"format": ACCESS_FORMAT}}
    raise ValueError(f"unknown log format {log_format!r} (expected one of {', '.join(FORMATS)})")


def logging_config(level: str = "info", log_format: str = "text") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping, also given to uvicorn."""
    name = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "alembic_chatter": {"()": AlembicChatterFilter},
        },
        "formatters": _formatters(log_format),
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
            # The app writes the access log (route template, duration, request id).
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "api.access": {"handlers": ["access"], "level": name, "propagate": False},
            "alembic": {"level": "INFO"},
        },
        "root": {"handlers": ["default"], "level": name},
    }


def configure_logging(level: str = "info", log_format: str = "text") -> None:
    import logging.config

    logging.config.dictConfig(logging_config(level, log_format))
