"""``UnhandledErrorMiddleware``: an unexpected exception ends as a 500
problem, and the exception stops here.

Starlette answers an unhandled exception from its outermost layer and then
re-raises it to the server, which closes the connection: the client's next
request on that kept-alive connection fails. Caught here instead (pure
ASGI, inside the request-id middleware so the answer carries the id), the
server sees a finished exchange and keeps the connection.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_infrastructure.web.errors import response_for_exception

logger = logging.getLogger("shared_infrastructure.web")


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_watching(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_watching)
        except Exception as error:
            if started:
                # Too late for an error answer; the server must drop the
                # half-sent response, so let it know.
                logger.error("error after the response started", exc_info=error)
                raise
            response = response_for_exception(error, scope)
            await response(scope, receive, send)
