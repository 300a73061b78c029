"""OpenTelemetry traces, switched on by the standard ``OTEL_*`` variables.

Optional: the ``tracing`` extra of the ``api`` package brings the SDK, the
OTLP/HTTP exporter and the FastAPI and SQLAlchemy instrumentations. Tracing
is on when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``,
or any installed exporter's entry point), or an OTLP endpoint is set
(``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``),
unless ``OTEL_SDK_DISABLED=true``. Everything else the SDK reads itself:
``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``,
``OTEL_BSP_*``, ``OTEL_EXPORTER_OTLP_*``.

The provider belongs to the app (the global one is left alone): the FastAPI
instrumentation wraps the app's middleware stack, and at lifespan start the
app's engine gets SQLAlchemy's instrumentation on its sync engine, so every
statement is a child span of the request that ran it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from shared_infrastructure.config.settings import SettingsError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("api.observability")

EXPORTER_ENV = "OTEL_TRACES_EXPORTER"
DISABLED_ENV = "OTEL_SDK_DISABLED"
ENDPOINT_ENVS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
PROTOCOL_ENVS = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
EXPORTER_GROUP = "opentelemetry_traces_exporter"
DEFAULT_SERVICE_NAME = "api"
OTLP_ENTRY_POINTS = {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"}


class TracingUnavailable(SettingsError):
    """The environment asks for traces the installation cannot produce
    (a settings error: ``api`` reports it in one line, exit status 2)."""


def requested_exporters(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The exporter names the environment asks for; empty = tracing off."""
    if environ.get(DISABLED_ENV, "").strip().lower() == "true":
        return []
    names = [name.strip() for name in environ.get(EXPORTER_ENV, "").split(",") if name.strip()]
    if not names and any(environ.get(name) for name in ENDPOINT_ENVS):
        names = ["otlp"]
    return [name for name in names if name != "none"]


def _entry_point_name(name: str, environ: Mapping[str, str]) -> str:
    if name != "otlp":
        return name
    protocol = next((environ[key] for key in PROTOCOL_ENVS if environ.get(key)), "http/protobuf")
    if protocol not in OTLP_ENTRY_POINTS:
        raise TracingUnavailable(
            f"OTEL_EXPORTER_OTLP_PROTOCOL: unknown protocol {protocol!r} "
            f"(expected {' or '.join(OTLP_ENTRY_POINTS)})"
        )
    return OTLP_ENTRY_POINTS[protocol]


def _exporter(name: str, environ: Mapping[str, str]) -> Any:
    wanted = _entry_point_name(name, environ)
    found = entry_points(group=EXPORTER_GROUP, name=wanted)
    if not found:
        available = sorted(point.name for point in entry_points(group=EXPORTER_GROUP))
        raise TracingUnavailable(
            f"{EXPORTER_ENV}: no installed span exporter {name!r} "
            f"(installed: {', '.join(available) or 'none'}; "
            "grpc needs opentelemetry-exporter-otlp-proto-grpc)"
        )
    exporter_class = next(iter(found)).load()
    return exporter_class()


def provider_from_environment(environ: Mapping[str, str] = os.environ) -> TracerProvider | None:
    """A tracer provider exporting as the environment says, or ``None`` when
    tracing is off. Raises :class:`TracingUnavailable` when the environment
    asks for traces that cannot be produced (extra or exporter missing)."""
    names = requested_exporters(environ)
    if not names:
        return None
    try:
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise TracingUnavailable(
            f"{EXPORTER_ENV}={','.join(names)} but OpenTelemetry is not installed: "
            "install the service with its tracing extra (api[tracing])"
        ) from None
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    provider = TracerProvider(resource=resource)
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name, environ)))
    logger.info("tracing on: exporting spans with %s", ", ".join(names))
    return provider


def check_tracing_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Fail now, by the variable's name, if the environment asks for traces
    that cannot be produced (before workers start, each to fail alone)."""
    provider = provider_from_environment(environ)
    if provider is not None:
        provider.shutdown()


@dataclass
class AppTracing:
    """The app's tracer provider and what it instrumented."""

    provider: TracerProvider
    owns_provider: bool

    def instrument_app(self, app: FastAPI) -> None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        # The http send/receive spans of every chunk add noise, not insight.
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=self.provider, exclude_spans=["receive", "send"]
        )

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """SQL spans for ``engine`` only (instrumenting the library as a
        whole would patch ``create_engine`` for the process)."""
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
        from opentelemetry.instrumentation.sqlalchemy.version import __version__
        from opentelemetry.metrics import NoOpMeterProvider

        tracer = self.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", __version__)
        usage = NoOpMeterProvider().get_meter(__name__).create_up_down_counter("unused")
        EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Stop tracing SQL; flush and stop the exporters the app started."""
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

        EngineTracer.remove_all_event_listeners()  # type: ignore[no-untyped-call]
        if self.owns_provider:
            self.provider.shutdown()


__all__ = [
    "AppTracing",
    "TracingUnavailable",
    "check_tracing_environment",
    "provider_from_environment",
    "requested_exporters",
]
