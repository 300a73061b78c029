"""``LOG_FORMAT=json``: every record one JSON object on one line.

Fields: ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
``request_id`` (``null`` outside a request), ``trace_id``/``span_id`` when an
OpenTelemetry span is active, ``exception`` with the traceback, and whatever
the record carries as ``extra`` (the access log's ``method``, ``route``,
``path``, ``status``, ``duration_ms``, ``client``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
    "taskName",
}


def _trace_ids_reader() -> Callable[[], tuple[str, str] | None]:
    """Reads the active span's ids when OpenTelemetry is installed."""
    try:
        from opentelemetry import trace
    except ImportError:  # the tracing extra is not installed
        return lambda: None

    def current() -> tuple[str, str] | None:
        context = trace.get_current_span().get_span_context()
        if not context.is_valid:
            return None
        return format(context.trace_id, "032x"), format(context.span_id, "016x")

    return current


class JsonFormatter(logging.Formatter):
    """One JSON object per record; values JSON cannot encode become their ``str``.

    It runs once per request (the access log): the encoder is built once and
    the timestamp's seconds are formatted once per second.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._trace_ids = _trace_ids_reader()
        self._encode = json.JSONEncoder(default=str, ensure_ascii=False).encode
        self._second = -1
        self._second_text = ""

    def _timestamp(self, created: float) -> str:
        """``2026-01-31T12:00:00.123Z`` (UTC, milliseconds)."""
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        entry: dict[str, Any] = {
            "timestamp": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id if request_id and request_id != "-" else None,
        }
        ids = self._trace_ids()
        if ids is not None:
            entry["trace_id"], entry["span_id"] = ids
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return self._encode(entry)


__all__ = ["JsonFormatter"]
