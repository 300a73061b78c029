"""Log lines: the JSON formatter's fields, the access log the app writes
(one line per request, with its route template and duration), and the
logging configuration for both formats."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from api.logging_config import ACCESS_FORMAT, RequestIdFilter, logging_config
from api.observability.logs import JsonFormatter

ServeApp = Any


def record(message: str = "hello %s", *args: Any, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("api.test", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_json_line_has_the_promised_fields() -> None:
    line = json.loads(JsonFormatter().format(record("hello %s", "world", request_id="abc")))

    assert line["message"] == "hello world"
    assert line["level"] == "WARNING"
    assert line["logger"] == "api.test"
    assert line["request_id"] == "abc"
    assert line["timestamp"].endswith("Z")
    assert datetime.fromisoformat(line["timestamp"]).utcoffset() == timedelta(0)
    assert "trace_id" not in line  # no span is active


def test_outside_a_request_the_request_id_is_null() -> None:
    assert json.loads(JsonFormatter().format(record()))["request_id"] is None
    assert json.loads(JsonFormatter().format(record(request_id="-")))["request_id"] is None


def test_extra_fields_are_kept_and_anything_odd_becomes_text() -> None:
    line = json.loads(
        JsonFormatter().format(record(order=7, price=Decimal("9.99"), _private="hidden"))
    )
    assert line["order"] == 7
    assert line["price"] == "9.99"
    assert "_private" not in line


def test_an_exception_is_one_field_of_the_same_line() -> None:
    try:
        raise ValueError("broken\non two lines")
    except ValueError:
        import sys

        failed = logging.LogRecord(
            "api.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    text = JsonFormatter().format(failed)

    assert "\n" not in text
    line = json.loads(text)
    assert line["exception"].startswith("Traceback")
    assert "ValueError: broken" in line["exception"]


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="yaml"):
        logging_config("info", "yaml")


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """The access logger's handler as ``api serve`` configures it (text),
    writing into a buffer (no process-wide reconfiguration)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(ACCESS_FORMAT))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("api.access")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_the_access_log_has_one_line_per_request_with_its_request_id(
    serve_app: ServeApp, access_lines: io.StringIO
) -> None:
    async with serve_app() as (_, client):
        found = await client.get("/products", headers={"X-Request-ID": "abc-123"})
        missing = await client.get(f"/products/{uuid.uuid4()}?secret=token")

    lines = access_lines.getvalue().splitlines()
    assert found.status_code == 200
    assert len(lines) == 2
    assert "access [abc-123]" in lines[0]
    assert '"GET /products HTTP/1.1" 200' in lines[0]
    assert f"[{missing.headers['x-request-id']}]" in lines[1]
    assert " 404 " in lines[1]
    assert "secret=token" not in lines[1]  # no query strings in logs


def test_json_configuration_formats_every_handler_as_json() -> None:
    config = logging_config("debug", "json")
    for handler in config["handlers"].values():
        formatter = config["formatters"][handler["formatter"]]
        assert formatter["()"].endswith("JsonFormatter")
    assert config["root"]["level"] == "DEBUG"
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
