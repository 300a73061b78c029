"""Fixtures that run the real app (lifespan, middleware, routers, services,
database) on the database chosen with ``--db``.

``serve_app`` starts an app through its lifespan and hands back an httpx
client speaking ASGI to it. These tests commit for real (that is what they
check), so every table is emptied when such a test ends. A "probe" router
adds the few endpoints the failure tests need: one that writes through the
request's session and lets the middleware commit, one that holds its
connection until released, one that crashes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL

from api.app import create_app
from api.observability.install import ObservabilityOptions
from product_catalog.infrastructure.records import ProductRecord
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.domain import DomainRuleViolation
from shared_infrastructure.testing.plugin import empty_all_tables
from shared_infrastructure.testing.throwaway import throwaway_database
from shared_infrastructure.web import DbSession

SECRET = "SELECT secret_column FROM hidden_table"
"""Text planted in a crash: it must never reach a client."""

ServeApp = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


class Gate:
    """Lets a test hold a request inside the app and release it."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()


def new_product(code: str) -> ProductRecord:
    return ProductRecord(
        id=uuid.uuid4(),
        code=code,
        name=f"Probe {code}",
        description="",
        price_amount=Decimal("1.00"),
        price_currency="EUR",
        status="draft",
    )


def probe_router(gate: Gate) -> APIRouter:
    """Endpoints that only the tests mount."""
    router = APIRouter(prefix="/probe")

    @router.post("/write/{code}")
    async def write(code: str, session: DbSession, outcome: str = "ok") -> dict[str, str]:
        """Adds a product through the request's session; the middleware commits."""
        session.add(new_product(code))
        await session.flush()
        if outcome == "rule":
            raise DomainRuleViolation("refused after writing", field="code")
        if outcome == "crash":
            raise RuntimeError(SECRET)
        return {"written": code}

    @router.post("/write-then-wait/{code}")
    async def write_then_wait(code: str, session: DbSession, request: Request) -> dict[str, str]:
        """Writes, then answers only once the client is gone (or gives up)."""
        session.add(new_product(code))
        await session.flush()
        for _ in range(200):
            if await request.is_disconnected():
                break
            await asyncio.sleep(0.01)
        return {"written": code}

    @router.get("/hold")
    async def hold(session: DbSession) -> dict[str, bool]:
        """Checks out the request's connection and keeps it until released."""
        await session.execute(text("SELECT 1"))
        gate.entered.set()
        await gate.release.wait()
        return {"held": True}

    @router.get("/hang/{code}")
    async def hang(code: str, session: DbSession) -> dict[str, bool]:
        """Writes, then waits forever (the test cancels it)."""
        session.add(new_product(code))
        await session.flush()
        gate.entered.set()
        await asyncio.Event().wait()
        return {"never": True}

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError(SECRET)

    return router


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest_asyncio.fixture(loop_scope="session")
async def serve_app(
    db_settings: Settings, sync_engine: Engine, gate: Gate
) -> AsyncIterator[ServeApp]:
    """``async with serve_app(**setting_overrides) as (app, client):``

    Keyword arguments override settings (e.g. ``database_pool_size=1``);
    ``settings=`` replaces them; ``database=`` hands the app a database;
    ``routers=`` mounts extra routers (the probe router is always there);
    ``relay_outbox=True`` runs the outbox relay too (off by default: its
    background rounds would blur the pool accounting these tests check);
    ``observability=`` replaces the metrics/logs/traces options.
    """

    @asynccontextmanager
    async def serve(
        settings: Settings | None = None,
        *,
        database: AsyncDatabase | None = None,
        routers: Sequence[APIRouter] = (),
        relay_outbox: bool = False,
        observability: ObservabilityOptions | None = None,
        **overrides: Any,
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        base = settings if settings is not None else db_settings
        resolved = base.model_copy(update=overrides) if overrides else base
        app = create_app(
            resolved, database=database, relay_outbox=relay_outbox, observability=observability
        )
        for router in (probe_router(gate), *routers):
            app.include_router(router)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", timeout=30
            ) as client:
                yield app, client

    try:
        yield serve
    finally:
        empty_all_tables(sync_engine)


@pytest.fixture
def count_products(sync_engine: Engine) -> Callable[[], int]:
    """Products in the database, as a separate connection sees them."""

    def count() -> int:
        with sync_engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(ProductRecord)).scalar_one()
            )

    return count


@pytest.fixture
def fresh_database(db_kind: str, tmp_path: Path) -> Iterator[URL]:
    """An empty database of the selected kind (migration tests build the
    schema themselves; the plugin's per-run database has ``create_all``'s)."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    with throwaway_database(db_kind, folder) as url:
        yield url


def product_body(code: str, amount: str = "9.99", currency: str = "EUR") -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Product {code}",
        "price": {"amount": amount, "currency": currency},
    }


@pytest.fixture
def product_json() -> Callable[..., dict[str, Any]]:
    return product_body
