"""Health endpoints: ``/health`` (the process answers) and
``/health/database`` (the database answers; 503 when it does not, so a
load balancer or orchestrator takes the instance out of rotation).

Both answer ``HEAD`` like ``GET`` (same checks, status and headers, no
body), for probes that ask with ``HEAD``.

The body is a health report in both cases, not problem details: probes
and dashboards read the same fields whether the check passed or failed.
A failure is told by a stable ``reason`` code (``timeout``,
``unreachable``); the driver's text (host, port, user) goes to the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.health import (
    DEFAULT_TIMEOUT_SECONDS,
    check_database_health,
    get_database_info,
)
from shared_infrastructure.web.errors import RETRY_AFTER_SECONDS

logger = logging.getLogger("shared_infrastructure.web")

HealthTarget = AsyncDatabase | AsyncEngine
HealthProvider = HealthTarget | Callable[[], HealthTarget]


def _resolve(provider: HealthProvider | None) -> HealthTarget | None:
    if provider is None or isinstance(provider, AsyncDatabase | AsyncEngine):
        return provider
    return provider()


def create_health_router(
    database_provider: HealthProvider | None = None,
    *,
    time_limit: float = DEFAULT_TIMEOUT_SECONDS,
    tags: list[str] | None = None,
) -> APIRouter:
    """``database_provider``: an ``AsyncDatabase``/``AsyncEngine``, a callable
    returning one (e.g. ``lambda: app.state.database``), or None for the
    default database."""
    started = time.monotonic()
    router = APIRouter(tags=list(tags or ["health"]))

    def process_report() -> dict[str, Any]:
        return {
            "status": "ok",
            "uptime_seconds": round(time.monotonic() - started, 3),
            "timestamp": datetime.now(UTC).isoformat(),
        }

    async def database_report() -> JSONResponse:
        target = _resolve(database_provider)
        report = await check_database_health(target, time_limit=time_limit)
        error = report.pop("error", None)
        body: dict[str, Any] = {
            "status": "healthy" if report["healthy"] else "unhealthy",
            "reason": None if report["healthy"] else _reason(error),
            **report,
        }
        if not report["healthy"]:
            logger.warning("database health check failed: %s", error)
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return JSONResponse(jsonable_encoder(body), status_code=503, headers=headers)
        body["database"] = await get_database_info(target, time_limit=time_limit)
        return JSONResponse(jsonable_encoder(body))

    @router.get("/health", summary="The process is up")
    async def process_health() -> dict[str, Any]:
        return process_report()

    @router.head("/health", summary="The process is up (no body)")
    async def process_health_head() -> Response:
        return _without_body(JSONResponse(jsonable_encoder(process_report())))

    @router.get(
        "/health/database",
        summary="The database answers",
        responses={503: {"description": "The database is unreachable or too slow"}},
    )
    async def database_health() -> JSONResponse:
        return await database_report()

    @router.head(
        "/health/database",
        summary="The database answers (no body)",
        responses={503: {"description": "The database is unreachable or too slow"}},
    )
    async def database_health_head() -> Response:
        return _without_body(await database_report())

    return router


def _reason(error: object) -> str:
    return "timeout" if str(error).startswith("TimeoutError") else "unreachable"


def _without_body(response: Response) -> Response:
    """The answer to ``HEAD``: the ``GET`` answer's status and headers
    (``Content-Length`` included, as RFC 9110 allows), no body."""
    return Response(status_code=response.status_code, headers=dict(response.headers))
