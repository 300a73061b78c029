"""The service's Prometheus metrics, on a registry of the app (not the
process-wide default: two apps in one process, as in tests, never collide).

With ``PROMETHEUS_MULTIPROC_DIR`` set (``api serve --workers N`` sets it),
prometheus-client keeps every value in a file per process and a scrape
adds up the files of every worker (:func:`scrape_registry`).
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from api.observability.multiprocess import MULTIPROCESS_DIR_ENV

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (a raw path would let any
client create series without end)."""
OTHER_METHOD = "other"
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


def multiprocess_directory() -> str | None:
    """The directory of the worker files, when several processes serve."""
    return os.environ.get(MULTIPROCESS_DIR_ENV) or None


def method_label(method: str) -> str:
    """Methods outside HTTP's own set share one label, for the same reason."""
    return method if method in KNOWN_METHODS else OTHER_METHOD


class HttpMetrics:
    """Request duration, requests in flight and errors by type.

    Children of the labelled metrics are cached: a request costs a dict
    lookup, an ``observe`` and a gauge increment and decrement.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.request_duration = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by route template, "
            "method and status",
            ["route", "method", "status"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "http_requests_in_flight",
            "Requests being served (every worker's, added up)",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.errors = Counter(
            "http_errors",
            "Responses with status >= 400 and unhandled exceptions, by the error type the "
            "client was told (the error body's type)",
            ["error_type"],
            registry=registry,
        )
        self._durations: dict[tuple[str, str, int], Histogram] = {}
        self._errors: dict[str, Counter] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        child = self._durations.get(key)
        if child is None:
            child = self._durations[key] = self.request_duration.labels(route, method, str(status))
        child.observe(seconds)

    def count_error(self, error_type: str) -> None:
        child = self._errors.get(error_type)
        if child is None:
            child = self._errors[error_type] = self.errors.labels(error_type)
        child.inc()


def scrape_registry(app_registry: CollectorRegistry, extra: list[Collector]) -> CollectorRegistry:
    """What a scrape reads: the app's registry, or, with several workers, every
    worker's files plus ``extra`` (collectors that read shared state, such as
    the database's outbox, at scrape time)."""
    directory = multiprocess_directory()
    if directory is None:
        return app_registry
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    for collector in extra:
        registry.register(collector)
    return registry


__all__ = [
    "MULTIPROCESS_DIR_ENV",
    "OTHER_METHOD",
    "UNMATCHED_ROUTE",
    "HttpMetrics",
    "method_label",
    "multiprocess_directory",
    "scrape_registry",
]
