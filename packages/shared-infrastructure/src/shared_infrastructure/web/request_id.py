"""Request ids: one per request, taken from ``X-Request-ID`` when the caller
(or a proxy) sent a sane one, echoed in the response, and available to
logs and error bodies through a ``ContextVar`` and ``request.state``.

Pure ASGI so the id is set in the request's own context: the endpoint,
its dependencies and the exception handlers all see it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
STATE_KEY = "request_id"
# Anything else (too long, spaces, CR/LF...) is replaced: ids end up in logs.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

_current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def get_request_id() -> str | None:
    """The id of the request being handled in this context, if any."""
    return _current_request_id.get()


def request_id_from_scope(scope: Scope) -> str | None:
    """The id stored by :class:`RequestIdMiddleware`, else the context's."""
    state = scope.get("state")
    if isinstance(state, dict) and isinstance(state.get(STATE_KEY), str):
        return str(state[STATE_KEY])
    return get_request_id()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Read or create ``X-Request-ID``; store it; echo it in the response."""

    def __init__(self, app: ASGIApp, header_name: str = REQUEST_ID_HEADER) -> None:
        self.app = app
        self.header_name = header_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(self.header_name, "")
        request_id = incoming if _ACCEPTABLE.match(incoming) else new_request_id()
        scope.setdefault("state", {})[STATE_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[self.header_name] = request_id
            await send(message)

        token = _current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current_request_id.reset(token)
