"""``DatabaseSessionMiddleware``: commit before the response starts, never a
2xx for a failed commit, rollback on 4xx and exceptions, cleanup on client
disconnect and cancellation, 50 concurrent requests isolated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    event,
    func,
    insert,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_infrastructure.database.base import NAMING_CONVENTION, Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.domain.errors import NotFound
from shared_infrastructure.web.dependencies import DbSession
from shared_infrastructure.web.errors import install_exception_handlers
from shared_infrastructure.web.middleware import DatabaseSessionMiddleware, run_to_completion
from shared_infrastructure.web.request_id import RequestIdMiddleware

REQUESTS = 50


class CoreMwItem(Base):
    __tablename__ = "core_mw_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)


# Deferred foreign keys exist on PostgreSQL and SQLite, not on MariaDB: a
# private metadata keeps them out of the shared schema.
DEFERRED = MetaData(naming_convention=NAMING_CONVENTION)
DEFERRED_PARENT = Table("core_mw_parents", DEFERRED, Column("id", Integer, primary_key=True))
DEFERRED_CHILD = Table(
    "core_mw_children",
    DEFERRED,
    Column("id", Integer, primary_key=True),
    Column(
        "parent_id",
        Integer,
        ForeignKey("core_mw_parents.id", deferrable=True, initially="DEFERRED"),
    ),
)


class Probe:
    """What the endpoints saw, for the assertions."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.committing: set[int] = set()
        self.reached = asyncio.Event()
        self.release = asyncio.Event()


def build_app(database: AsyncDatabase, probe: Probe) -> FastAPI:
    app = FastAPI()
    app.add_middleware(DatabaseSessionMiddleware, database=database)
    app.add_middleware(RequestIdMiddleware)
    install_exception_handlers(app)

    def on_commit(session: AsyncSession, label: str = "commit") -> None:
        def record(_session: Session) -> None:
            probe.log.append(label)

        event.listen(session.sync_session, "after_commit", record)

    @app.post("/items/{code}", status_code=201)
    async def create(code: str, session: DbSession) -> dict[str, Any]:
        item = CoreMwItem(code=code)
        session.add(item)
        await session.flush()
        on_commit(session)
        return {"id": item.id}

    @app.post("/items/{code}/not-found")
    async def not_found(code: str, session: DbSession) -> None:
        session.add(CoreMwItem(code=code))
        await session.flush()
        raise NotFound("Thing", code)

    @app.post("/items/{code}/bad-request")
    async def bad_request(code: str, session: DbSession) -> Response:
        session.add(CoreMwItem(code=code))
        await session.flush()
        return JSONResponse({"detail": "no"}, status_code=400)

    @app.post("/items/{code}/bug")
    async def bug(code: str, session: DbSession) -> None:
        session.add(CoreMwItem(code=code))
        await session.flush()
        raise RuntimeError("a bug with a secret: SELECT * FROM core_mw_items")

    @app.post("/items/{code}/commit-fails/{how}", status_code=201)
    async def commit_fails(code: str, how: str, session: DbSession) -> dict[str, str]:
        session.add(CoreMwItem(code=code))
        await session.flush()

        def fail(_session: Session) -> None:
            if how == "unavailable":
                raise sa_exc.OperationalError("COMMIT", {}, ConnectionResetError("gone"))
            raise RuntimeError("a hook failed")

        event.listen(session.sync_session, "before_commit", fail)
        return {"status": "created"}

    @app.post("/deferred", status_code=201)
    async def deferred(session: DbSession) -> dict[str, str]:
        await session.execute(insert(DEFERRED_CHILD).values(id=1, parent_id=999))
        return {"status": "created"}

    @app.post("/items/{code}/wait-disconnect", status_code=201)
    async def wait_disconnect(code: str, request: Request, session: DbSession) -> dict[str, str]:
        session.add(CoreMwItem(code=code))
        await session.flush()
        await request.body()
        message = await request.receive()  # the server tells: the client is gone
        probe.log.append(message["type"])
        return {"status": "created"}

    @app.post("/items/{code}/hang")
    async def hang(code: str, session: DbSession) -> None:
        session.add(CoreMwItem(code=code))
        await session.flush()
        probe.reached.set()
        await asyncio.Event().wait()

    @app.get("/stream/{code}")
    async def stream(code: str, session: DbSession) -> StreamingResponse:
        session.add(CoreMwItem(code=code))
        await session.flush()

        async def body() -> AsyncIterator[bytes]:
            yield b"first chunk"
            probe.reached.set()
            await asyncio.Event().wait()

        return StreamingResponse(body())

    @app.post("/isolated/{number}")
    async def isolated(number: int, request: Request, session: DbSession) -> dict[str, Any]:
        session.add(CoreMwItem(code=f"iso-{number}"))
        await session.flush()
        await asyncio.sleep(0.001)
        codes = await session.scalars(select(CoreMwItem.code).where(CoreMwItem.code.like("iso-%")))
        visible = {int(code.removeprefix("iso-")) for code in codes}
        event.listen(session.sync_session, "before_commit", lambda _s: probe.committing.add(number))
        return {
            "uncommitted_others": sorted(visible - probe.committing - {number}),
            "sees_own": number in visible,
            "same_session": database.session is session is request.state.db_session,
        }

    return app


@pytest.fixture
def probe() -> Probe:
    return Probe()


@pytest.fixture
def app(committing_database: AsyncDatabase, probe: Probe) -> FastAPI:
    return build_app(committing_database, probe)


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def stored_codes(database: AsyncDatabase) -> list[str]:
    async with database.session_factory() as session:
        return list(await session.scalars(select(CoreMwItem.code).order_by(CoreMwItem.code)))


def checked_out(database: AsyncDatabase) -> int:
    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


def recording(app: ASGIApp, on_start: Callable[[], Any]) -> ASGIApp:
    """Wrap ``app`` to run ``on_start`` when the response start goes out."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                await on_start()
            await send(message)

        await app(scope, receive, send_recording)

    return wrapped


# -- commit before the response ---------------------------------------------------


async def test_commit_happens_before_the_response_starts(
    app: FastAPI, committing_database: AsyncDatabase, probe: Probe
) -> None:
    seen_at_start: list[list[str]] = []

    async def on_start() -> None:
        probe.log.append("response.start")
        seen_at_start.append(await stored_codes(committing_database))

    async with client_for(recording(app, on_start)) as client:
        response = await client.post("/items/A1")
    assert response.status_code == 201
    assert probe.log == ["commit", "response.start"]
    assert seen_at_start == [["A1"]]  # committed and visible to others already
    assert checked_out(committing_database) == 0


@pytest.mark.parametrize(
    ("how", "status", "error_type"),
    [("unavailable", 503, "service-unavailable"), ("bug", 500, "internal-error")],
)
async def test_a_failing_commit_never_answers_2xx(
    app: FastAPI, committing_database: AsyncDatabase, how: str, status: int, error_type: str
) -> None:
    async with client_for(app) as client:
        response = await client.post(f"/items/B1/commit-fails/{how}")
    assert response.status_code == status
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["type"] == f"/problems/{error_type}"
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["status"] == status  # the endpoint's own {"status": "created"} never went out
    assert await stored_codes(committing_database) == []
    assert checked_out(committing_database) == 0


async def test_a_unique_violation_at_commit_is_a_409_naming_the_field(
    app: FastAPI, committing_database: AsyncDatabase
) -> None:
    async with client_for(app) as client:
        assert (await client.post("/items/DUP")).status_code == 201
        # The flush inside the endpoint fails here; it surfaces as the same 409.
        response = await client.post("/items/DUP")
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/conflict"
    assert [error["field"] for error in response.json()["errors"]] == ["code"]
    assert "uq_core_mw_items_code" not in response.text
    assert await stored_codes(committing_database) == ["DUP"]


@pytest.fixture
def deferred_tables(sync_engine: Engine, db_kind: str) -> Iterator[None]:
    if db_kind == "mariadb":
        pytest.skip("MariaDB has no deferrable constraints")
    DEFERRED.create_all(sync_engine)
    yield
    DEFERRED.drop_all(sync_engine)


async def test_a_deferred_foreign_key_failing_at_commit_is_a_409(
    app: FastAPI, committing_database: AsyncDatabase, deferred_tables: None, db_kind: str
) -> None:
    async with client_for(app) as client:
        response = await client.post("/deferred")
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/conflict"
    assert problem["errors"][0]["code"] == "unknown_reference"
    assert "fk_core_mw" not in response.text
    async with committing_database.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(DEFERRED_CHILD)) == 0


# -- rollback ---------------------------------------------------------------------


@pytest.mark.parametrize(("path", "status"), [("not-found", 404), ("bad-request", 400)])
async def test_4xx_rolls_back(
    app: FastAPI, committing_database: AsyncDatabase, path: str, status: int
) -> None:
    async with client_for(app) as client:
        response = await client.post(f"/items/C1/{path}")
    assert response.status_code == status
    assert await stored_codes(committing_database) == []
    assert checked_out(committing_database) == 0


async def test_an_exception_rolls_back_and_answers_a_generic_500(
    app: FastAPI, committing_database: AsyncDatabase
) -> None:
    async with client_for(app) as client:
        response = await client.post("/items/D1/bug")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert "SELECT" not in response.text
    assert response.json()["type"] == "/problems/internal-error"
    assert await stored_codes(committing_database) == []
    assert checked_out(committing_database) == 0


async def test_the_exception_still_reaches_the_server(
    committing_database: AsyncDatabase, probe: Probe
) -> None:
    app = build_app(committing_database, probe)
    transport = httpx.ASGITransport(app=app)  # raise_app_exceptions=True
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with pytest.raises(RuntimeError, match="a bug"):
            await client.post("/items/D2/bug")
    assert await stored_codes(committing_database) == []


# -- disconnect and cancellation ------------------------------------------------


def http_scope(path: str, method: str = "POST") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
        "root_path": "",
    }


async def test_client_gone_before_the_response_rolls_back(
    app: FastAPI, committing_database: AsyncDatabase, probe: Probe
) -> None:
    incoming: list[Message] = [
        {"type": "http.request", "body": b"", "more_body": False},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await app(http_scope("/items/E1/wait-disconnect"), receive, send)
    assert probe.log == ["http.disconnect"]
    assert await stored_codes(committing_database) == []
    assert checked_out(committing_database) == 0


async def test_client_gone_during_a_stream_still_cleans_up(
    app: FastAPI, committing_database: AsyncDatabase, probe: Probe
) -> None:
    gone = asyncio.Event()
    incoming: list[Message] = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[Message] = []

    async def receive() -> Message:
        if incoming:
            return incoming.pop(0)
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    serving = asyncio.create_task(app(http_scope("/stream/F1", "GET"), receive, send))
    await asyncio.wait_for(probe.reached.wait(), 5)
    gone.set()
    await asyncio.wait_for(serving, 5)
    assert sent[0]["status"] == 200
    assert await stored_codes(committing_database) == ["F1"]  # committed at the start
    assert checked_out(committing_database) == 0


async def cancel_once(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def cancel_relentlessly(task: asyncio.Task[None]) -> None:
    """Cancel at every step, as an anyio cancel scope does."""
    while not task.done():
        task.cancel()
        await asyncio.sleep(0)
    assert task.cancelled()


@pytest.mark.parametrize("cancel", [cancel_once, cancel_relentlessly])
async def test_cancellation_rolls_back_and_returns_the_connection(
    app: FastAPI,
    committing_database: AsyncDatabase,
    probe: Probe,
    cancel: Callable[[asyncio.Task[None]], Any],
) -> None:
    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    serving = asyncio.create_task(app(http_scope("/items/G1/hang"), receive, send))
    await asyncio.wait_for(probe.reached.wait(), 5)
    assert checked_out(committing_database) == 1
    await cancel(serving)
    assert not committing_database.has_scope()
    assert await stored_codes(committing_database) == []
    assert checked_out(committing_database) == 0


async def test_run_to_completion_finishes_the_work_then_reraises() -> None:
    finished: list[str] = []

    async def cleanup() -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        finished.append("done")

    async def worker() -> None:
        await run_to_completion(cleanup())

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    await cancel_relentlessly(task)
    assert finished == ["done"]


# -- pass-through and concurrency -------------------------------------------------


async def test_lifespan_and_websocket_pass_through(committing_database: AsyncDatabase) -> None:
    seen: list[tuple[str, bool]] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["type"], committing_database.has_scope()))

    middleware = DatabaseSessionMiddleware(inner, database=committing_database)

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        pass

    await middleware({"type": "lifespan"}, nothing, ignore)
    await middleware({"type": "websocket", "headers": []}, nothing, ignore)
    await middleware(http_scope("/x"), nothing, ignore)
    assert seen == [("lifespan", False), ("websocket", False), ("http", True)]


async def test_a_provider_callable_is_resolved_per_request(
    committing_database: AsyncDatabase,
) -> None:
    calls: list[int] = []

    def provider() -> AsyncDatabase:
        calls.append(1)
        return committing_database

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["state"]["database"] is committing_database

    middleware = DatabaseSessionMiddleware(inner, database=provider)

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        pass

    await middleware(http_scope("/x"), nothing, ignore)
    await middleware(http_scope("/y"), nothing, ignore)
    assert len(calls) == 2


async def test_concurrent_requests_are_isolated(
    app: FastAPI, committing_database: AsyncDatabase
) -> None:
    async with client_for(app) as client:
        responses = await asyncio.gather(
            *(client.post(f"/isolated/{number}") for number in range(REQUESTS))
        )
    assert [response.status_code for response in responses] == [200] * REQUESTS
    for response in responses:
        body = response.json()
        assert body == {"uncommitted_others": [], "sees_own": True, "same_session": True}
    assert len(await stored_codes(committing_database)) == REQUESTS
    assert checked_out(committing_database) == 0
