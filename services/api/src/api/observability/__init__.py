"""Metrics, request logs and traces of the service, installed by one call.

``create_app`` calls :func:`install_observability` once every route and
middleware of its own is in place, and runs :meth:`AppObservability.running`
inside its lifespan (once the database is open). What it installs:

- :class:`~api.observability.middleware.RequestTelemetryMiddleware`, the
  outermost middleware: request metrics and the access log;
- ``GET /metrics`` (Prometheus text format; not in the OpenAPI schema) with
  the pool and outbox collectors (:mod:`api.observability.collectors`);
- traces when the ``OTEL_*`` environment asks for them
  (:mod:`api.observability.tracing`).

Modules: :mod:`.install` (the hook), :mod:`.metrics`, :mod:`.collectors`,
:mod:`.middleware`, :mod:`.logs` (JSON lines), :mod:`.tracing`,
:mod:`.multiprocess` (the workers' metrics directory), :mod:`.settings`.
Importing the package imports none of them: the CLI stays quick to start.

Logging itself is configured by the process (``api serve`` or whoever runs
uvicorn) from :mod:`api.logging_config`.
"""
