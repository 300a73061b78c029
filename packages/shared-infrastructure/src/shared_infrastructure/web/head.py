"""``HeadMiddleware``: ``HEAD`` answered on every ``GET`` route (RFC 9110
9.3.2): the same status and headers as ``GET``, no body.

FastAPI routes only the methods they declare; declaring ``HEAD`` on each
route would double every operation in OpenAPI. Routing ``HEAD`` as ``GET``
and dropping the body here covers every route, present and future.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        body_finished = False

        async def send_without_body(message: Message) -> None:
            nonlocal body_finished
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False) and not body_finished:
                body_finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
