"""The connection pool under pressure: an exhausted pool is a 503 within the
pool timeout and the service recovers; no request, failed or not, leaves a
connection checked out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

ServeApp = Any
EXPECTED = {0: 201, 1: 409, 2: 200, 3: 404, 4: 422, 5: 500, 6: 422, 7: 200, 8: 200, 9: 412}
"""The status each kind of request in the load test must get."""
ProductJson = Callable[..., dict[str, Any]]


async def test_an_exhausted_pool_answers_503_then_the_service_recovers(
    serve_app: ServeApp, gate: Any
) -> None:
    async with serve_app(
        database_pool_size=1, database_max_overflow=0, database_pool_timeout=0.5
    ) as (app, client):
        holder = asyncio.ensure_future(client.get("/probe/hold"))
        await asyncio.wait_for(gate.entered.wait(), timeout=30)

        starved = await client.get("/products")

        gate.release.set()
        held = await asyncio.wait_for(holder, timeout=30)
        after = await client.get("/products")
        health = await client.get("/health/database")
        pool = app.state.composition.database.engine.pool
        checked_out = pool.checkedout()

    assert starved.status_code == 503
    error = starved.json()
    assert error["type"] == "/problems/service-unavailable"
    assert error["request_id"] == starved.headers["x-request-id"]
    assert starved.headers["retry-after"]
    assert held.status_code == 200
    assert after.status_code == 200
    assert health.status_code == 200
    assert checked_out == 0


def is_lost_race(response: httpx.Response) -> bool:
    """SQLite transactions are deferred: a create whose read went stale
    because another request committed first gets a concurrency conflict."""
    return response.status_code == 409 and response.json()["type"] == (
        "/problems/concurrency-conflict"
    )


async def test_a_thousand_requests_including_errors_leave_no_connection_checked_out(
    serve_app: ServeApp, product_json: ProductJson, db_kind: str
) -> None:
    total, concurrency = 1000, 10
    statuses: dict[int, int] = {}
    created = 0
    async with serve_app() as (app, client):
        seed = await client.post("/products", json=product_json("SEED001"))
        assert seed.status_code == 201
        product_url = seed.headers["location"]

        def request(number: int) -> Awaitable[httpx.Response]:
            kind = number % 10
            if kind == 0:
                return client.post("/products", json=product_json(f"LOAD{number:06d}"))
            if kind == 1:
                return client.post("/products", json=product_json("SEED001"))  # 409
            if kind == 2:
                return client.get("/products", params={"limit": 5})
            if kind == 3:
                return client.get(f"/products/{uuid.uuid4()}")  # 404
            if kind == 4:
                return client.post("/products", json={"code": "??"})  # 422
            if kind == 5:
                return client.get("/probe/crash")  # 500
            if kind == 6:  # wrote, then a rule refused it: 422 and rolled back
                return client.post(f"/probe/write/RULE{number:06d}", params={"outcome": "rule"})
            if kind == 7:
                return client.get("/health/database")
            if kind == 8:
                return client.get("/events")
            return client.patch(product_url, json={"name": "x"}, headers={"If-Match": '"999"'})

        surprises: list[tuple[int, int, str]] = []
        for start in range(0, total, concurrency):
            numbers = range(start, start + concurrency)
            responses = await asyncio.gather(*(request(number) for number in numbers))
            for number, response in zip(numbers, responses, strict=True):
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                kind = number % 10
                created += kind == 0 and response.status_code == 201
                if kind == 0 and db_kind == "sqlite" and is_lost_race(response):
                    continue
                if response.status_code != EXPECTED[kind]:
                    surprises.append((number, response.status_code, response.text[:300]))

        pool = app.state.composition.database.engine.pool
        checked_out = pool.checkedout()
        listing = await client.get("/products", params={"limit": 1})

    assert sum(statuses.values()) == total
    assert surprises == []
    assert checked_out == 0
    assert created > total // 20
    assert listing.json()["total"] == 1 + created  # what answered 201 is stored, nothing else
