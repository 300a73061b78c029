"""``RequestIdMiddleware``: read or create, store, echo."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request

from shared_infrastructure.web.request_id import RequestIdMiddleware, get_request_id


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/id")
    async def show(request: Request) -> dict[str, str | None]:
        return {"state": request.state.request_id, "context": get_request_id()}

    return app


async def _get(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/id", headers=headers)


async def test_an_incoming_id_is_kept_stored_and_echoed(app: FastAPI) -> None:
    response = await _get(app, {"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json() == {"state": "abc-123", "context": "abc-123"}


async def test_a_missing_id_is_created(app: FastAPI) -> None:
    first, second = await _get(app), await _get(app)
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert first.json()["state"] == first.headers["x-request-id"]


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "semi;colon", ""])
async def test_an_unsafe_id_is_replaced(app: FastAPI, bad: str) -> None:
    response = await _get(app, {"X-Request-ID": bad})
    assert response.headers["x-request-id"] != bad
    assert len(response.headers["x-request-id"]) == 32


async def test_the_context_is_reset_after_the_request(app: FastAPI) -> None:
    await _get(app, {"X-Request-ID": "abc"})
    assert get_request_id() is None
