"""HTTP semantics of the whole service: 400 for malformed JSON, 415 for a
body that is not JSON, 413 for a body over the limit (before it is read),
HEAD on every GET route, and an ``Allow`` header that lists every method
of the path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.app import create_app
from shared_infrastructure.config.settings import Settings

ServeApp = Any
PRODUCT = {"code": "PROD900", "name": "Kettle", "price": {"amount": "9.99", "currency": "EUR"}}


def problem_type(response: Any) -> str:
    assert response.headers["content-type"] == "application/problem+json"
    return str(response.json()["type"]).removeprefix("/problems/")


async def test_malformed_json_is_400(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        response = await client.post(
            "/products", content=b'{"code": "PROD9', headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert problem_type(response) == "bad-request"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_a_body_that_is_not_json_is_415(serve_app: ServeApp, content_type: str) -> None:
    async with serve_app() as (_, client):
        response = await client.post(
            "/products", content=b'{"code": "PROD900"}', headers={"content-type": content_type}
        )
        listing = await client.get("/products")
    assert response.status_code == 415
    assert problem_type(response) == "unsupported-media-type"
    assert listing.json()["items"] == []


async def test_a_json_media_type_with_parameters_is_accepted(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        response = await client.post(
            "/products",
            json=PRODUCT,
            headers={"content-type": "application/json; charset=utf-8"},
        )
    assert response.status_code == 201, response.text


async def test_a_declared_body_over_the_limit_is_413_before_it_is_read(
    serve_app: ServeApp,
) -> None:
    async with serve_app(max_request_body_bytes=1024) as (_, client):
        response = await client.post(
            "/products",
            content=b"{" + b" " * 2048 + b"}",
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 413
    assert problem_type(response) == "content-too-large"


async def test_a_streamed_body_over_the_limit_is_413(serve_app: ServeApp) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b" " * 1024

    async with serve_app(max_request_body_bytes=4096) as (_, client):
        response = await client.post(
            "/products", content=chunks(), headers={"content-type": "application/json"}
        )
        listing = await client.get("/products")
    assert response.status_code == 413
    assert problem_type(response) == "content-too-large"
    assert listing.status_code == 200


async def test_a_body_within_the_limit_is_served(serve_app: ServeApp) -> None:
    async with serve_app(max_request_body_bytes=4096) as (_, client):
        response = await client.post("/products", json=PRODUCT)
    assert response.status_code == 201


def test_the_default_limit_is_one_mebibyte(db_settings: Settings) -> None:
    assert db_settings.max_request_body_bytes == 1024 * 1024
    assert create_app(db_settings) is not None


@pytest.mark.parametrize("path", ["/products", "/events", "/health", "/openapi.json", "/docs"])
async def test_head_answers_like_get_without_a_body(serve_app: ServeApp, path: str) -> None:
    async with serve_app() as (_, client):
        get = await client.get(path)
        head = await client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if path != "/health":  # its uptime changes length between the two requests
        assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-length"].isdigit()


async def test_head_on_a_missing_resource_is_404(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        head = await client.head("/events/ev_missing")
    assert head.status_code == 404
    assert head.content == b""


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/products", "GET, HEAD, POST"),
        ("DELETE", "/events", "GET, HEAD, POST"),
        ("PUT", "/products/00000000-0000-0000-0000-000000000000", "DELETE, GET, HEAD, PATCH"),
        ("GET", "/events/ev_1/publish", "POST"),
    ],
)
async def test_405_lists_every_allowed_method(
    serve_app: ServeApp, method: str, path: str, allowed: str
) -> None:
    async with serve_app() as (_, client):
        response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert problem_type(response) == "method-not-allowed"


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        ("/docs", ["/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"]),
        ("/redoc", ["/docs-assets/redoc.standalone.js"]),
    ],
)
async def test_the_api_docs_need_no_internet(
    serve_app: ServeApp, page: str, assets: list[str]
) -> None:
    async with serve_app() as (_, client):
        html = await client.get(page)
        fetched = [await client.get(asset) for asset in assets]
    assert html.status_code == 200
    assert "cdn." not in html.text
    assert "fonts.googleapis" not in html.text
    for asset, response in zip(assets, fetched, strict=True):
        assert asset in html.text
        assert response.status_code == 200
        assert len(response.content) > 10_000
