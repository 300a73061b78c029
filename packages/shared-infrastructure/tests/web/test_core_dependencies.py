"""The ``Annotated`` dependencies: the request's session, and the seed
helpers finishing before the response goes out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI, Request
from sqlalchemy import String, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp

from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import (
    close_database,
    init_database,
    init_sync_database,
)
from shared_infrastructure.database.engine import create_sync_engine
from shared_infrastructure.testing.plugin import AsgiClientFactory
from shared_infrastructure.web.dependencies import (
    AsyncDb,
    CommittingSession,
    DbSession,
    MissingSessionMiddleware,
    RequestDatabase,
    SyncDb,
    get_request_session,
)
from shared_infrastructure.web.errors import install_exception_handlers
from shared_infrastructure.web.middleware import DatabaseSessionMiddleware


class CoreDepItem(Base):
    __tablename__ = "core_dep_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)


def build_app(database: AsyncDatabase | None) -> FastAPI:
    app = FastAPI()
    if database is not None:
        app.add_middleware(DatabaseSessionMiddleware, database=database)
    install_exception_handlers(app)

    @app.get("/identity")
    async def identity(
        request: Request, session: DbSession, database: RequestDatabase
    ) -> dict[str, bool]:
        return {
            "state": session is request.state.db_session,
            "scope": session is database.session,
        }

    @app.post("/committing/{code}", status_code=201)
    async def committing(code: str, session: CommittingSession) -> dict[str, str]:
        session.add(CoreDepItem(code=code))
        return {"code": code}

    @app.post("/async-db/{code}")
    async def async_db(code: str, session: AsyncDb) -> dict[str, bool]:
        session.add(CoreDepItem(code=code))
        await session.commit()
        return {"async": isinstance(session, AsyncSession)}

    @app.post("/sync-db/{code}")
    def sync_db(code: str, session: SyncDb) -> dict[str, str]:
        session.add(CoreDepItem(code=code))
        session.commit()
        return {"code": code}

    return app


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def codes(database: AsyncDatabase) -> list[str]:
    async with database.session_factory() as session:
        return list(await session.scalars(select(CoreDepItem.code).order_by(CoreDepItem.code)))


@pytest_asyncio.fixture(loop_scope="session")
async def defaults(
    committing_database: AsyncDatabase, db_settings: Settings
) -> AsyncIterator[AsyncDatabase]:
    await init_database(committing_database)
    init_sync_database(Database(create_sync_engine(db_settings)))
    yield committing_database
    await close_database()


async def test_db_session_is_the_middleware_scope_session(
    committing_database: AsyncDatabase,
) -> None:
    async with client_for(build_app(committing_database)) as client:
        response = await client.get("/identity")
    assert response.json() == {"state": True, "scope": True}


async def test_db_session_without_the_middleware_fails_clearly() -> None:
    app = build_app(None)
    request = Request({"type": "http", "app": app, "headers": [], "state": {}})
    with pytest.raises(MissingSessionMiddleware, match="DatabaseSessionMiddleware"):
        await get_request_session(request)


async def test_db_session_can_be_overridden_in_tests(
    asgi_client: AsgiClientFactory, async_session: AsyncSession
) -> None:
    app = build_app(None)

    @app.get("/one")
    async def one(session: DbSession) -> int:
        return int((await session.execute(text("SELECT 1"))).scalar_one())

    async def override() -> AsyncSession:
        return async_session

    async with asgi_client(app, overrides={get_request_session: override}) as client:
        assert (await client.get("/one")).json() == 1


async def test_committing_session_commits_before_the_response(defaults: AsyncDatabase) -> None:
    async with client_for(build_app(None)) as client:
        created = await client.post("/committing/A")
        duplicate = await client.post("/committing/A")
    assert created.status_code == 201
    # The commit failed inside the request, so the client hears about it.
    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "/problems/conflict"
    assert [error["field"] for error in duplicate.json()["errors"]] == ["code"]
    assert await codes(defaults) == ["A"]


async def test_async_db_and_sync_db(defaults: AsyncDatabase) -> None:
    async with client_for(build_app(None)) as client:
        assert (await client.post("/async-db/B")).json() == {"async": True}
        assert (await client.post("/sync-db/C")).json() == {"code": "C"}
    assert await codes(defaults) == ["B", "C"]
