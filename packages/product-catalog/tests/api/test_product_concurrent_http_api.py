"""Concurrent writes through the API on real, separately committing
connections: lost races are retried, so users see results, not conflicts."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from product_catalog.api import create_router
from shared_infrastructure.testing.plugin import AsgiClientFactory, DatabaseFactory
from shared_infrastructure.web import DatabaseSessionMiddleware, install_exception_handlers

from .conftest import product_service


def committing_app(database_factory: DatabaseFactory) -> FastAPI:
    database = database_factory(database_pool_size=20, database_max_overflow=20)
    application = FastAPI()
    application.add_middleware(DatabaseSessionMiddleware, database=database)
    install_exception_handlers(application)
    application.include_router(create_router(product_service))
    return application


async def test_concurrent_creates_of_different_products_all_succeed(
    database_factory: DatabaseFactory, asgi_client: AsgiClientFactory
) -> None:
    async with asgi_client(committing_app(database_factory)) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/products",
                    json={
                        "code": f"RACE{n:03d}",
                        "name": f"Racer {n}",
                        "price": {"amount": "1.00", "currency": "EUR"},
                    },
                )
                for n in range(40)
            )
        )
        failures = [r.json() for r in responses if r.status_code != 201]
        assert failures == [], failures
        listed = await client.get("/products", params={"limit": 50})
    assert listed.json()["total"] == 40


async def test_concurrent_creates_of_one_code_give_one_product_and_409s(
    database_factory: DatabaseFactory, asgi_client: AsgiClientFactory
) -> None:
    body = {"code": "SAME001", "name": "Same", "price": {"amount": "1.00", "currency": "EUR"}}
    async with asgi_client(committing_app(database_factory)) as client:
        responses = await asyncio.gather(*(client.post("/products", json=body) for _ in range(6)))
        statuses = sorted(r.status_code for r in responses)
        listed = await client.get("/products")
    assert statuses == [201] + [409] * 5
    assert listed.json()["total"] == 1
