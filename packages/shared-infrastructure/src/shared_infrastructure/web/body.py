"""``RequestBodyMiddleware``: a body is JSON (else 415) and at most
``max_bytes`` long (else 413), checked before anything parses it.

A declared ``Content-Length`` over the limit is refused before a byte is
read; a body streamed without one (chunked) is counted as it arrives and
refused as soon as it passes the limit, so a 30 MB upload costs at most
``max_bytes`` of memory. Pure ASGI, outside the session middleware: a
refused request never opens a database session.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_infrastructure.web.errors import problem_response
from shared_infrastructure.web.problem import (
    BAD_REQUEST,
    CONTENT_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    Problem,
)
from shared_infrastructure.web.request_id import request_id_from_scope

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class _TooLarge(Exception):
    pass


class RequestBodyMiddleware:
    def __init__(
        self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES, *, json_only: bool = True
    ) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.app = app
        self.max_bytes = max_bytes
        self.json_only = json_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(headers)
        if refusal is not None:
            await self._answer(refusal, scope, receive, send)
            return
        await self._counted(scope, receive, send)

    def _refusal(self, headers: Headers) -> Problem | None:
        length_text = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = 0
        if length_text is not None:
            if not length_text.isdigit():
                return Problem(BAD_REQUEST, "Content-Length must be a number of bytes")
            length = int(length_text)
        if length > self.max_bytes:
            return self._too_large()
        has_body = length > 0 or chunked
        if self.json_only and has_body and not is_json_media_type(headers.get("content-type", "")):
            return Problem(UNSUPPORTED_MEDIA_TYPE, "send the body as application/json")
        return None

    def _too_large(self) -> Problem:
        return Problem(CONTENT_TOO_LARGE, f"the body is larger than {self.max_bytes} bytes")

    async def _answer(self, problem: Problem, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        response = problem_response(
            problem,
            instance=path if isinstance(path, str) else None,
            request_id=request_id_from_scope(scope),
        )
        await response(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not refused:
                raise
        if refused and not started:
            await self._answer(self._too_large(), scope, receive, send)
