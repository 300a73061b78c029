"""Commit semantics through the whole stack: a commit that fails is never a
2xx and leaves nothing written; errors, a client that disconnects and a
cancelled request all roll back what is still uncommitted and give the
connection back. A use case commits its own unit of work inside the
endpoint: a client that leaves afterwards does not undo it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine, event, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session

from api.composition import service_dependency
from product_catalog.application import ProductService
from product_catalog.infrastructure.records import ProductRecord
from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.engine import create_async_db_engine
from shared_infrastructure.database.sessions import AppSession
from shared_infrastructure.web import DbSession

ServeApp = Any
Count = Callable[[], int]
ProductJson = Callable[..., dict[str, Any]]


class FailingCommitSession(AppSession):
    """A session whose commit fails while ``armed`` (a commit hook raising,
    as a deferred constraint or a lost connection would at COMMIT)."""

    armed = False


@event.listens_for(FailingCommitSession, "before_commit")
def _fail_when_armed(session: Session) -> None:
    if FailingCommitSession.armed:
        raise RuntimeError("commit refused by a commit hook")


@pytest.fixture
def failing_commits() -> Iterator[type[FailingCommitSession]]:
    FailingCommitSession.armed = True
    try:
        yield FailingCommitSession
    finally:
        FailingCommitSession.armed = False


async def database_with(settings: Settings, session_class: type[Session]) -> AsyncDatabase:
    engine = create_async_db_engine(settings)
    factory = async_sessionmaker(
        bind=engine, sync_session_class=session_class, autoflush=False, expire_on_commit=False
    )
    return AsyncDatabase(engine, session_factory=factory)


async def test_a_failed_commit_in_a_use_case_is_an_error_and_writes_nothing(
    serve_app: ServeApp,
    db_settings: Settings,
    failing_commits: type[FailingCommitSession],
    count_products: Count,
    product_json: ProductJson,
) -> None:
    database = await database_with(db_settings, failing_commits)
    try:
        async with serve_app(database=database) as (_, client):
            response = await client.post("/products", json=product_json("PROD200"))
            failing_commits.armed = False
            listing = await client.get("/products")
    finally:
        await database.dispose()

    assert response.status_code >= 500
    assert "commit refused" not in response.text
    assert listing.json()["total"] == 0
    assert count_products() == 0


async def test_a_failed_commit_by_the_middleware_is_an_error_and_writes_nothing(
    serve_app: ServeApp,
    db_settings: Settings,
    failing_commits: type[FailingCommitSession],
    count_products: Count,
) -> None:
    """The endpoint only flushes; the middleware commits before the response
    starts, and sends an error instead of the endpoint's 200."""
    database = await database_with(db_settings, failing_commits)
    try:
        async with serve_app(database=database) as (_, client):
            response = await client.post("/probe/write/PROD201")
    finally:
        await database.dispose()

    assert response.status_code == 500
    assert response.json()["type"] == "/problems/internal-error"
    assert "written" not in response.text
    assert count_products() == 0


async def test_a_deferred_constraint_failing_at_commit_is_a_409(
    serve_app: ServeApp,
    db_kind: str,
    sync_engine: Engine,
    count_products: Count,
    product_json: ProductJson,
) -> None:
    """PostgreSQL checks a DEFERRABLE INITIALLY DEFERRED constraint at COMMIT:
    the INSERT succeeds, the commit fails."""
    if db_kind != "postgresql":
        pytest.skip("deferred constraints: PostgreSQL only")
    name = "uq_products_name_deferred"
    with sync_engine.begin() as connection:
        connection.execute(
            text(
                f"ALTER TABLE products ADD CONSTRAINT {name} UNIQUE (name) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        )
    try:
        async with serve_app() as (_, client):
            first = await client.post("/products", json=product_json("PROD202"))
            same_name = product_json("PROD203") | {"name": first.json()["name"]}
            second = await client.post("/products", json=same_name)
    finally:
        with sync_engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE products DROP CONSTRAINT {name}"))

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["type"] == "/problems/conflict"
    assert [error["code"] for error in second.json()["errors"]] == ["duplicate"]
    assert name not in second.text
    assert count_products() == 1


@pytest.mark.parametrize(("outcome", "status"), [("rule", 422), ("crash", 500)])
async def test_an_error_after_writing_rolls_back(
    serve_app: ServeApp, count_products: Count, outcome: str, status: int
) -> None:
    async with serve_app() as (app, client):
        response = await client.post("/probe/write/PROD204", params={"outcome": outcome})
        pool = app.state.composition.database.engine.pool
        checked_out = pool.checkedout()

    assert response.status_code == status
    assert count_products() == 0
    assert checked_out == 0


async def test_a_successful_write_is_committed_before_the_response(
    serve_app: ServeApp, count_products: Count
) -> None:
    async with serve_app() as (_, client):
        response = await client.post("/probe/write/PROD205")
        seen_while_serving = count_products()

    assert response.status_code == 200
    assert seen_while_serving == 1


async def _call_raw(app: Any, path: str, receive_messages: list[dict[str, Any]]) -> list[Any]:
    """Drive the ASGI app directly with a scripted ``receive``."""
    sent: list[Any] = []
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for message in receive_messages:
        queue.put_nowait(message)

    async def receive() -> dict[str, Any]:
        return await queue.get()

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return sent


async def test_a_client_that_disconnects_before_the_answer_gets_nothing_written(
    serve_app: ServeApp, count_products: Count
) -> None:
    async with serve_app() as (app, _):
        await _call_raw(
            app,
            "/probe/write-then-wait/PROD206",
            [
                {"type": "http.request", "body": b"", "more_body": False},
                {"type": "http.disconnect"},
            ],
        )
        pool = app.state.composition.database.engine.pool
        checked_out = pool.checkedout()

    assert count_products() == 0
    assert checked_out == 0


CatalogService = Annotated[ProductService, Depends(service_dependency("product_catalog"))]


def _create_then_wait_router() -> APIRouter:
    """A route that runs the catalog's create use case (its unit of work
    commits inside the endpoint), then answers once the client is gone."""
    router = APIRouter(prefix="/probe")

    @router.post("/create-then-wait/{code}")
    async def create_then_wait(
        code: str, service: CatalogService, request: Request
    ) -> dict[str, str]:
        await service.create(
            code=code, name=f"Product {code}", price_amount="1", price_currency="EUR"
        )
        for _ in range(200):
            if await request.is_disconnected():
                break
            await asyncio.sleep(0.01)
        return {"created": code}

    return router


async def test_a_client_that_leaves_before_the_answer_undoes_the_use_case_too(
    serve_app: ServeApp, count_products: Count
) -> None:
    """One owner per transaction: the use case's unit of work joins the
    request's transaction and only the middleware commits, before the
    response starts. A client gone by then hears no 2xx, so nothing stays."""
    async with serve_app(routers=[_create_then_wait_router()]) as (app, _):
        sent = await _call_raw(
            app,
            "/probe/create-then-wait/PROD208",
            [
                {"type": "http.request", "body": b"", "more_body": False},
                {"type": "http.disconnect"},
            ],
        )
        pool = app.state.composition.database.engine.pool
        checked_out = pool.checkedout()

    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [200]
    assert count_products() == 0
    assert checked_out == 0


def _flush_then_list_router() -> APIRouter:
    """Seed-style code: a row flushed through the request's session, then a
    read-only use case, then a 2xx."""
    router = APIRouter(prefix="/probe")

    @router.post("/flush-then-list/{code}")
    async def flush_then_list(
        code: str, session: DbSession, service: CatalogService
    ) -> dict[str, int | None]:
        session.add(
            ProductRecord(
                id=uuid.uuid4(),
                code=code,
                name=f"Flushed {code}",
                description="",
                price_amount=Decimal("1.00"),
                price_currency="EUR",
                status="draft",
            )
        )
        await session.flush()
        page = await service.list()
        return {"listed": page.total}

    return router


async def test_a_read_only_use_case_keeps_what_the_request_flushed(
    serve_app: ServeApp, count_products: Count
) -> None:
    """Before: the unit of work joined the request's session and rolled it
    back when its block ended, so the flushed row vanished behind a 200."""
    async with serve_app(routers=[_flush_then_list_router()]) as (_, client):
        response = await client.post("/probe/flush-then-list/PROD209")
        listing = await client.get("/products")

    assert response.status_code == 200
    assert response.json() == {"listed": 1}
    assert [item["code"] for item in listing.json()["items"]] == ["PROD209"]
    assert count_products() == 1


async def test_a_cancelled_request_rolls_back_and_returns_its_connection(
    serve_app: ServeApp, count_products: Count, gate: Any
) -> None:
    async with serve_app() as (app, client):
        request = asyncio.ensure_future(client.get("/probe/hang/PROD207"))
        await asyncio.wait_for(gate.entered.wait(), timeout=30)
        request.cancel()
        with pytest.raises((asyncio.CancelledError, httpx.HTTPError)):
            await request
        pool = app.state.composition.database.engine.pool
        for _ in range(100):  # cleanup finishes shielded, just after the cancel
            if pool.checkedout() == 0:
                break
            await asyncio.sleep(0.05)
        checked_out = pool.checkedout()
        after = await client.get("/products")

    assert checked_out == 0
    assert count_products() == 0
    assert after.status_code == 200
