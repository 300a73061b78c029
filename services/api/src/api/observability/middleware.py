"""``RequestTelemetryMiddleware``: one clock per request, feeding the
request metrics and the access log.

Pure ASGI and outermost among the app's middleware, so the time covers the
session middleware's commit and the status is the one the client got. The
route label is the template the router matched (``/products/{product_id}``),
read from the scope after the app ran; the raw path never becomes a label.
The error type is read from the first chunk of an error response's JSON
body (``{"error": {"type": ...}}``), so errors are counted as the client
saw them, whichever layer answered; successful responses are not looked at.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability.metrics import UNMATCHED_ROUTE, HttpMetrics, method_label
from shared_infrastructure.web import describe_error
from shared_infrastructure.web.problem import PROBLEM_TYPE_PREFIX
from shared_infrastructure.web.request_id import request_id_from_scope

ACCESS_LOGGER = "api.access"
CLIENT_CLOSED_REQUEST = 499
"""Status recorded when the client went away before any response (nginx's)."""
MAX_ERROR_TYPE_LENGTH = 64


def route_template(scope: Scope, routes: Sequence[BaseRoute] = ()) -> str:
    """The template of the route that served ``scope``: the router records
    its API routes in the scope; others (``/openapi.json``, ``/docs``) are
    matched again here, which only requests without an API route pay for."""
    template = getattr(scope.get("route"), "path_format", None)
    if isinstance(template, str):
        return template
    for route in routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            template = getattr(route, "path_format", None)
            if isinstance(template, str):
                return template
    return UNMATCHED_ROUTE


def error_type_from_body(body: bytes, status: int) -> str:
    """The problem type's slug (``/problems/not-found`` -> ``not-found``),
    else ``http_<status>``."""
    fallback = f"http_{status}"
    try:
        document = json.loads(body)
    except ValueError:
        return fallback
    if not isinstance(document, dict):
        return fallback
    candidate: Any = document.get("type")
    if isinstance(candidate, str):
        candidate = candidate.removeprefix(PROBLEM_TYPE_PREFIX)
    if isinstance(candidate, str) and 0 < len(candidate) <= MAX_ERROR_TYPE_LENGTH:
        return candidate
    return fallback


class RequestTelemetryMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HttpMetrics | None = None,
        routes: Sequence[BaseRoute] = (),
        access_logger: logging.Logger | None = None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics
        self.access_logger = access_logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0
        error_type: str | None = None
        peek_body = False

        async def observing_send(message: Message) -> None:
            nonlocal status, peek_body, error_type
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                peek_body = status >= 400
            elif peek_body and kind == "http.response.body":
                peek_body = False
                body = message.get("body", b"")
                complete = not message.get("more_body", False)
                error_type = error_type_from_body(body, status) if complete else f"http_{status}"
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.in_flight.inc()
        try:
            await self.app(scope, receive, observing_send)
        except Exception as error:
            # Starlette's outermost layer answers 500 (if nothing was sent yet)
            # with the type the error handlers give this error.
            error_type = describe_error(error).type.slug
            status = status or 500
            raise
        except asyncio.CancelledError:
            status = status or CLIENT_CLOSED_REQUEST
            raise
        finally:
            seconds = time.perf_counter() - start
            status = status or 500
            route = route_template(scope, self.routes)
            method = method_label(scope["method"])
            if metrics is not None:
                metrics.in_flight.dec()
                metrics.observe(route, method, status, seconds)
                if error_type is not None:
                    metrics.count_error(error_type)
            self._log(scope, method, route, status, seconds)

    def _log(self, scope: Scope, method: str, route: str, status: int, seconds: float) -> None:
        logger = self.access_logger
        if not logger.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        address = f"{client[0]}:{client[1]}" if client else "-"
        duration_ms = round(seconds * 1000, 3)
        logger.info(
            '%s "%s %s HTTP/%s" %d %.1fms',
            address,
            scope["method"],
            scope["path"],
            scope.get("http_version", "1.1"),
            status,
            duration_ms,
            extra={
                "request_id": request_id_from_scope(scope),
                "method": scope["method"],
                "route": route,
                "path": scope["path"],
                "status": status,
                "duration_ms": duration_ms,
                "client": address,
            },
        )


__all__ = [
    "ACCESS_LOGGER",
    "CLIENT_CLOSED_REQUEST",
    "RequestTelemetryMiddleware",
    "error_type_from_body",
    "route_template",
]
