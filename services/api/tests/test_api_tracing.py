"""Traces: a request is one server span with its SQL statements as child
spans, the logs carry its trace id, and the ``OTEL_*`` environment decides
whether tracing is on and where spans go."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from api.observability.install import ObservabilityOptions
from api.observability.logs import JsonFormatter
from api.observability.settings import ObservabilitySettings
from api.observability.tracing import (
    TracingUnavailable,
    provider_from_environment,
    requested_exporters,
)

ServeApp = Any


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    yield spans
    spans.clear()


@pytest.fixture
def traced(exporter: InMemorySpanExporter) -> Iterator[ObservabilityOptions]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield ObservabilityOptions(settings=ObservabilitySettings(), tracer_provider=provider)
    provider.shutdown()


def trace_of(spans: tuple[ReadableSpan, ...], server: ReadableSpan) -> list[ReadableSpan]:
    assert server.context is not None
    return [
        span for span in spans if span.context and span.context.trace_id == server.context.trace_id
    ]


def descends_from(span: ReadableSpan, ancestor: ReadableSpan, spans: list[ReadableSpan]) -> bool:
    by_id = {item.context.span_id: item for item in spans if item.context}
    parent = span.parent
    while parent is not None:
        if ancestor.context and parent.span_id == ancestor.context.span_id:
            return True
        above = by_id.get(parent.span_id)
        parent = above.parent if above else None
    return False


async def test_a_request_is_one_server_span_with_its_sql_spans(
    serve_app: ServeApp, traced: ObservabilityOptions, exporter: InMemorySpanExporter
) -> None:
    async with serve_app(observability=traced) as (_, client):
        exporter.clear()  # whatever the lifespan ran at start
        response = await client.get("/products")
        spans = exporter.get_finished_spans()

    assert response.status_code == 200
    servers = [span for span in spans if span.kind is SpanKind.SERVER]
    assert len(servers) == 1
    server = servers[0]
    assert server.name == "GET /products"
    assert server.attributes is not None
    assert server.attributes.get("http.route") == "/products"
    trace = trace_of(spans, server)
    sql = [span for span in trace if span.kind is SpanKind.CLIENT]
    assert sql, [span.name for span in spans]
    assert all(descends_from(span, server, trace) for span in sql)
    statements = [str((span.attributes or {}).get("db.statement", "")) for span in sql]
    assert any(statement.lstrip().upper().startswith("SELECT") for statement in statements)
    assert len(trace) == len(spans)  # nothing outside the request's trace


async def test_a_failed_request_is_a_span_with_an_error_status(
    serve_app: ServeApp, traced: ObservabilityOptions, exporter: InMemorySpanExporter
) -> None:
    async with serve_app(observability=traced) as (_, client):
        exporter.clear()
        response = await client.get("/probe/crash")
        spans = exporter.get_finished_spans()

    assert response.status_code == 500
    (server,) = [span for span in spans if span.kind is SpanKind.SERVER]
    assert server.status.status_code.name == "ERROR"


async def test_log_lines_carry_the_trace_id_of_their_request(
    serve_app: ServeApp, traced: ObservabilityOptions, exporter: InMemorySpanExporter
) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("api.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        async with serve_app(observability=traced) as (_, client):
            exporter.clear()
            response = await client.get("/health")
            spans = exporter.get_finished_spans()
    finally:
        access.removeHandler(handler)
        access.setLevel(level)

    (server,) = [span for span in spans if span.kind is SpanKind.SERVER]
    assert server.context is not None
    (line,) = [json.loads(line) for line in lines]
    assert line["trace_id"] == format(server.context.trace_id, "032x")
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["route"] == "/health"


async def test_without_a_provider_nothing_is_traced(
    serve_app: ServeApp, exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    async with serve_app() as (app, client):
        response = await client.get("/products")

    assert response.status_code == 200
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "none"}, []),
        ({"OTEL_TRACES_EXPORTER": "console"}, ["console"]),
        ({"OTEL_TRACES_EXPORTER": "otlp, console"}, ["otlp", "console"]),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, []),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x", "OTEL_SDK_DISABLED": "TRUE"}, []),
    ],
)
def test_the_environment_switches_tracing_on(environ: dict[str, str], expected: list[str]) -> None:
    assert requested_exporters(environ) == expected


def test_tracing_off_builds_no_provider() -> None:
    assert provider_from_environment({}) is None


def test_a_provider_exports_where_the_environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "catalogue")
    provider = provider_from_environment(
        {"OTEL_TRACES_EXPORTER": "otlp,console", "OTEL_SERVICE_NAME": "catalogue"}
    )
    assert provider is not None
    try:
        processors = provider._active_span_processor._span_processors
        exporters = {type(processor.span_exporter).__name__ for processor in processors}  # type: ignore[attr-defined]
        assert exporters == {"OTLPSpanExporter", "ConsoleSpanExporter"}
        assert provider.resource.attributes["service.name"] == "catalogue"
    finally:
        provider.shutdown()


def test_the_service_name_defaults_to_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    provider = provider_from_environment({"OTEL_TRACES_EXPORTER": "console"})
    assert provider is not None
    try:
        assert provider.resource.attributes["service.name"] == "api"
    finally:
        provider.shutdown()


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"OTEL_TRACES_EXPORTER": "jaegerr"}, "OTEL_TRACES_EXPORTER"),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "carrier-pigeon"},
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "grpc",
        ),
    ],
)
def test_an_exporter_that_is_not_installed_is_refused_by_name(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(TracingUnavailable, match=named):
        provider_from_environment(environ)


def test_asking_for_traces_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def without_sdk(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("opentelemetry.sdk"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_sdk)
    with pytest.raises(TracingUnavailable, match=r"api\[tracing\]"):
        provider_from_environment({"OTEL_TRACES_EXPORTER": "otlp"})
