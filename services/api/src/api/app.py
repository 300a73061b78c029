"""``create_app(settings)``: the FastAPI application of the service.

Layers, outermost first::

    RequestTelemetryMiddleware   request metrics and the access log
                                 (api.observability; also GET /metrics, traces)
    RequestIdMiddleware          X-Request-ID in, out, in logs and error bodies
    UnhandledErrorMiddleware     a bug is a 500 problem; the connection stays usable
    HeadMiddleware               HEAD on every GET route
    RequestBodyMiddleware        JSON only (415), at most MAX_REQUEST_BODY_BYTES (413)
    DatabaseSessionMiddleware    one session scope per request; commit before
                                 the response starts (a failed commit is never
                                 a 2xx); rollback on error, disconnect, cancel
    exception handlers           RFC 9457 problem details for every error
    routers                      /health, /health/database, /health/outbox,
                                 every context's

Nothing touches a database until the lifespan runs: it opens the engine,
wires the services and starts the outbox relay (:mod:`api.composition`),
and stops the relay and disposes the engine at shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI

from api.broker import BrokerSettings, load_broker_settings
from api.composition import Composition, NotStarted, compose, service_dependency
from api.contexts import CONTEXTS, ContextModule
from api.docs import serve_api_docs
from api.messaging import create_outbox_health_router
from api.observability.install import ObservabilityOptions, install_observability
from shared_infrastructure.config.settings import Settings, load_settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.web import (
    DatabaseSessionMiddleware,
    HeadMiddleware,
    RequestBodyMiddleware,
    RequestIdMiddleware,
    UnhandledErrorMiddleware,
    create_health_router,
    document_problems,
    install_exception_handlers,
)

TITLE = "DDD SQLAlchemy reference API"
HEALTH_TAG = {"name": "health", "description": "Is the process up? Is the database answering?"}


def _version() -> str:
    try:
        return version("api")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def app_database(app: FastAPI) -> AsyncDatabase:
    """The database the lifespan opened."""
    composition = getattr(app.state, "composition", None)
    if not isinstance(composition, Composition):
        raise NotStarted("the app's lifespan has not run: no database")
    return composition.database


def _open_database(app: FastAPI) -> AsyncDatabase | None:
    composition = getattr(app.state, "composition", None)
    return composition.database if isinstance(composition, Composition) else None


def create_app(
    settings: Settings | None = None,
    *,
    database: AsyncDatabase | None = None,
    contexts: Sequence[ContextModule] = CONTEXTS,
    apply_migrations: bool = False,
    relay_outbox: bool = True,
    broker: BrokerSettings | None = None,
    observability: ObservabilityOptions | None = None,
) -> FastAPI:
    """Build the app (no engine yet: the lifespan opens it).

    ``settings`` default to :func:`load_settings` (environment, ``.env``,
    ``config.json``). ``database``: use this one instead of opening one
    (its owner disposes it; tests use it). ``apply_migrations``: upgrade to
    every head through the app's engine when starting (one process only;
    the way to serve an in-memory SQLite database). ``relay_outbox``: run
    the outbox relay in this process (the embedded default; turn it off
    where another process relays). ``broker``: with a ``BROKER_URL``, the
    relay publishes to RabbitMQ and this process applies no events (``api
    worker`` processes do); without (the default), everything stays in
    process. ``observability``: metrics, logs and traces (default: from the
    environment).
    """
    resolved = settings if settings is not None else load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with compose(
            resolved,
            database=database,
            contexts=contexts,
            apply_migrations=apply_migrations,
            relay_outbox=relay_outbox,
            broker=broker,
        ) as composition:
            app.state.composition = composition
            try:
                async with telemetry.running(composition.database):
                    yield
            finally:
                app.state.composition = None

    tags: list[dict[str, Any]] = [HEALTH_TAG]
    tags += [{"name": context.tag, "description": context.description} for context in contexts]
    app = FastAPI(
        title=TITLE,
        version=_version(),
        description="Bounded contexts: " + ", ".join(context.name for context in contexts),
        openapi_tags=tags,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = resolved
    app.state.composition = None

    install_exception_handlers(app)
    document_problems(app)
    serve_api_docs(app)
    app.include_router(create_health_router(lambda: app_database(app)))
    app.include_router(create_outbox_health_router(lambda: app_database(app)))
    for context in contexts:
        app.include_router(context.create_router(service_dependency(context.name)))

    # add_middleware wraps: the last one added is the outermost.
    app.add_middleware(DatabaseSessionMiddleware, database=lambda: app_database(app))
    app.add_middleware(RequestBodyMiddleware, max_bytes=resolved.max_request_body_bytes)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestIdMiddleware)
    # Last: its middleware is the outermost and /metrics sees every route.
    telemetry = install_observability(app, lambda: _open_database(app), observability)
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers, reload): each
    process reads the settings from its environment."""
    return create_app(load_settings(), broker=load_broker_settings())


__all__ = ["app_database", "create_app", "create_app_from_environment"]
