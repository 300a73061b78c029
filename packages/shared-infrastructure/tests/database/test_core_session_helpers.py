"""Every seed helper under its documented name, doing what its seed says."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import String, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import QueuePool

from shared_infrastructure.config.settings import Settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import (
    close_database,
    get_async_database,
    init_database,
    use_default_databases,
)
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.database.helpers import (
    create_session_factory,
    get_async_db,
    get_async_session,
    get_db,
    get_db_context,
    get_session,
    get_session_dependency,
    get_sync_session,
    is_in_transaction,
    savepoint,
    transaction,
)
from shared_infrastructure.web.errors import install_exception_handlers
from shared_infrastructure.web.middleware import DatabaseSessionMiddleware

Defaults = tuple[AsyncDatabase, Database]


class CoreHelperRow(Base):
    __tablename__ = "core_helper_rows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))


class Boom(Exception):
    pass


async def _ids(database: AsyncDatabase) -> list[int]:
    async with database.scope() as session:
        return list(await session.scalars(select(CoreHelperRow.id).order_by(CoreHelperRow.id)))


async def _add_then_fail(session: AsyncSession, row: CoreHelperRow) -> None:
    session.add(row)
    await session.flush()
    raise Boom


def _sync_add_then_fail(session: Session, row: CoreHelperRow) -> None:
    session.add(row)
    session.flush()
    raise Boom


def _checked_out(database: AsyncDatabase) -> int:
    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


# -- async helpers -------------------------------------------------------------


async def test_get_session_async_with_commits(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    async with get_session() as session:
        assert isinstance(session, AsyncSession)
        session.add(CoreHelperRow(id=1, name="a"))
    assert await _ids(db) == [1]
    assert _checked_out(db) == 0


async def test_get_session_async_with_rolls_back_on_error(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    with pytest.raises(Boom):
        async with get_session() as session:
            await _add_then_fail(session, CoreHelperRow(id=1, name="a"))
    assert await _ids(db) == []
    assert _checked_out(db) == 0


async def test_get_session_async_for_commits(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    seen = 0
    async for session in get_session():
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
        session.add(CoreHelperRow(id=2, name="b"))
        seen += 1
    assert seen == 1
    assert await _ids(db) == [2]


async def test_get_async_session_commits_and_rolls_back(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    async with get_async_session() as session:
        session.add(CoreHelperRow(id=1, name="kept"))
    with pytest.raises(Boom):
        async with get_async_session() as session:
            await _add_then_fail(session, CoreHelperRow(id=2, name="dropped"))
    assert await _ids(db) == [1]


async def test_get_session_works_as_a_fastapi_dependency(committing_defaults: Defaults) -> None:
    """``Depends(get_session)`` injects a session and commits."""
    db, _ = committing_defaults
    app = FastAPI()

    @app.post("/rows/{row_id}")
    async def create(row_id: int, session: Annotated[AsyncSession, Depends(get_session)]) -> str:
        session.add(CoreHelperRow(id=row_id, name="web"))
        return type(session).__name__

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/rows/7")
    assert response.json() == "AsyncSession"
    assert await _ids(db) == [7]


async def test_get_session_dependency_commits_or_rolls_back(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    dependency = get_session_dependency()
    session = await anext(dependency)
    session.add(CoreHelperRow(id=1, name="ok"))
    with pytest.raises(StopAsyncIteration):
        await anext(dependency)
    failing = get_session_dependency()
    session = await anext(failing)
    session.add(CoreHelperRow(id=2, name="no"))
    with pytest.raises(Boom):
        await failing.athrow(Boom())
    assert await _ids(db) == [1]
    assert _checked_out(db) == 0


async def test_get_async_db_yields_and_closes_without_committing(
    committing_defaults: Defaults,
) -> None:
    db, _ = committing_defaults
    dependency = get_async_db()
    session = await anext(dependency)
    session.add(CoreHelperRow(id=1, name="uncommitted"))
    await session.flush()
    await dependency.aclose()
    assert not session.in_transaction()
    assert await _ids(db) == []
    assert _checked_out(db) == 0


async def test_create_session_factory(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    assert create_session_factory() is db.session_factory
    factory = create_session_factory(db.engine)
    async with factory() as session:
        assert session.bind is db.engine
        assert (await session.execute(text("SELECT 1"))).scalar() == 1


async def test_async_transaction_and_savepoint_helpers(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    async with db.scope():
        assert not is_in_transaction()
        async with transaction() as session:
            assert is_in_transaction(session)
            assert is_in_transaction()  # the active-record spelling, no session given
            session.add(CoreHelperRow(id=1, name="outer"))
            with pytest.raises(Boom):
                async with savepoint():
                    await _add_then_fail(session, CoreHelperRow(id=2, name="inner"))
        assert not is_in_transaction(db.session)
    assert await _ids(db) == [1]


async def test_transaction_on_an_explicit_session(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    async with db.session_factory() as session, transaction(session):
        session.add(CoreHelperRow(id=3, name="explicit"))
        async with transaction(session):  # nested: a savepoint
            assert is_in_transaction(session)
    assert await _ids(db) == [3]


async def test_mixing_sync_and_async_is_refused(committing_defaults: Defaults) -> None:
    db, sync_db = committing_defaults
    with pytest.raises(TypeError):
        transaction(db.session).__enter__()
    with pytest.raises(TypeError):
        await transaction(sync_db.session).__aenter__()


# -- sync helpers --------------------------------------------------------------


async def test_get_sync_session_commits_and_rolls_back(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    with get_sync_session() as session:
        assert isinstance(session, Session)
        session.add(CoreHelperRow(id=1, name="kept"))
    with pytest.raises(Boom), get_sync_session() as session:
        _sync_add_then_fail(session, CoreHelperRow(id=2, name="dropped"))
    assert await _ids(db) == [1]


async def test_get_db_yields_a_session_and_closes_it(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    dependency = get_db()
    session = next(dependency)
    session.add(CoreHelperRow(id=1, name="committed"))
    session.commit()
    session.add(CoreHelperRow(id=2, name="not committed"))
    session.flush()
    dependency.close()
    assert not session.in_transaction()
    assert await _ids(db) == [1]


async def test_get_db_context_leaves_commit_to_the_caller(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    with get_db_context() as session:
        session.add(CoreHelperRow(id=1, name="committed"))
        session.commit()
    with get_db_context() as session:
        session.add(CoreHelperRow(id=2, name="forgotten"))
    with pytest.raises(Boom), get_db_context() as session:
        _sync_add_then_fail(session, CoreHelperRow(id=3, name="failed"))
    assert await _ids(db) == [1]


async def test_sync_transaction_savepoint_is_in_transaction(committing_defaults: Defaults) -> None:
    db, _ = committing_defaults
    assert not is_in_transaction()
    with transaction() as session:
        assert is_in_transaction()
        session.add(CoreHelperRow(id=1, name="outer"))
        with pytest.raises(Boom), savepoint():
            _sync_add_then_fail(session, CoreHelperRow(id=2, name="inner"))
    assert not is_in_transaction()
    assert await _ids(db) == [1]


# -- lifecycle -----------------------------------------------------------------


async def test_init_and_close_database(db_settings: Settings) -> None:
    database = await init_database(db_settings)
    try:
        assert get_async_database() is database
        async with get_session() as session:
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
        again = await init_database(database)
        assert again is database
        replacement = await init_database(database.engine)
        assert get_async_database() is replacement is not database
    finally:
        await close_database()
    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedin() == 0


class CoreUniqueRow(Base):
    __tablename__ = "core_unique_rows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(40), unique=True)


SeedSession = Annotated[AsyncSession, Depends(get_session)]
SeedDependencySession = Annotated[AsyncSession, Depends(get_session_dependency)]


@pytest.mark.parametrize("route", ["get-session", "get-session-dependency"])
async def test_under_the_middleware_a_failed_commit_is_never_a_2xx(
    committing_defaults: Defaults, route: str
) -> None:
    """Declared with FastAPI's default scope, a dependency's own commit would
    run after the response went out. Under ``DatabaseSessionMiddleware`` the
    seed dependencies hand out the request's session instead, which the
    middleware commits before the response starts."""
    db, _ = committing_defaults
    app = FastAPI()
    app.add_middleware(DatabaseSessionMiddleware, database=db)
    install_exception_handlers(app)

    @app.post("/get-session/{row_id}/{code}", status_code=201)
    async def with_get_session(row_id: int, code: str, session: SeedSession) -> str:
        session.add(CoreUniqueRow(id=row_id, code=code))  # a duplicate shows at commit
        return code

    @app.post("/get-session-dependency/{row_id}/{code}", status_code=201)
    async def with_dependency(row_id: int, code: str, session: SeedDependencySession) -> str:
        session.add(CoreUniqueRow(id=row_id, code=code))
        return code

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        created = await client.post(f"/{route}/1/A")
        duplicate = await client.post(f"/{route}/2/A")
        after = await client.post(f"/{route}/3/B")
    assert (created.status_code, duplicate.status_code, after.status_code) == (201, 409, 201)
    async with db.scope() as session:
        assert list(await session.scalars(select(CoreUniqueRow.id).order_by("id"))) == [1, 3]
    assert _checked_out(db) == 0


def test_a_failed_commit_leaves_the_sync_session_usable(committing_defaults: Defaults) -> None:
    _, sync_db = committing_defaults
    with sync_db.scope() as session:
        with transaction(session):
            session.add(CoreUniqueRow(id=1, code="A"))
        with pytest.raises(IntegrityConflict), transaction(session):
            session.add(CoreUniqueRow(id=2, code="A"))  # fails at commit, not before
        with transaction(session):
            session.add(CoreUniqueRow(id=3, code="C"))
    with sync_db.scope() as session:
        assert list(session.scalars(select(CoreUniqueRow.id).order_by("id"))) == [1, 3]


async def test_a_failed_commit_leaves_the_async_session_usable(
    committing_defaults: Defaults,
) -> None:
    db, _ = committing_defaults
    async with db.scope() as session:
        async with transaction(session):
            session.add(CoreUniqueRow(id=1, code="A"))
        with pytest.raises(IntegrityConflict):
            async with transaction(session):
                session.add(CoreUniqueRow(id=2, code="A"))
        async with transaction(session):
            session.add(CoreUniqueRow(id=3, code="C"))
    async with db.scope() as session:
        assert list(await session.scalars(select(CoreUniqueRow.id).order_by("id"))) == [1, 3]


async def test_get_session_refuses_to_commit_after_the_response(database: AsyncDatabase) -> None:
    """A FastAPI without a per-call exit stack could only commit after the
    response: the dependency refuses instead of risking a 2xx for lost work."""
    from starlette.requests import HTTPConnection

    from shared_infrastructure.database.helpers import CommitAfterResponse, get_session_dependency

    connection = HTTPConnection({"type": "http", "headers": [], "path": "/"})
    with use_default_databases(async_=database):
        dependency = get_session_dependency(connection)
        with pytest.raises(CommitAfterResponse, match="DatabaseSessionMiddleware"):
            await anext(dependency)
