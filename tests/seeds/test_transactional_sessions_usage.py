"""The transactional-sessions usage guide (sessions whose transaction the
helper owns), run as written.

Its examples with only the import paths changed: ``app.db.session`` becomes
``shared_infrastructure.database.session``, ``app.database`` (the legacy
names) becomes ``shared_infrastructure.database``, ``app.db.utils`` becomes
``shared_infrastructure.database.schema``, and ``from app.db import Base``
becomes ``from shared_infrastructure.database import DataclassBase as Base``
(records that are also dataclasses, as the guide's ``init=False`` needs).
Table names carry a prefix so the guides share one schema.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import String, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.config import load_settings
from shared_infrastructure.database import DataclassBase as Base
from shared_infrastructure.database import SessionLocal, get_db
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.schema import create_db_tables
from shared_infrastructure.database.session import (
    async_engine,
    get_async_session,
    get_session,
    get_sync_session,
    sync_engine,
)
from shared_infrastructure.web.errors import install_exception_handlers


class MyModel(Base):
    __tablename__ = "guide_tx_my_table"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    name: Mapped[str] = mapped_column(String(50), unique=True)


@pytest.fixture
def defaults(
    committing_databases: tuple[Database, AsyncDatabase],
) -> tuple[Database, AsyncDatabase]:
    """Both default databases, committing for real."""
    return committing_databases


async def names() -> list[str]:
    async with get_async_session() as session:
        return list(await session.scalars(select(MyModel.name).order_by(MyModel.name)))


# -- Async Sessions (FastAPI Dependencies) -----------------------------------------


async def test_dependency_commits_automatically(defaults: Any, asgi_client: Any) -> None:
    app = FastAPI()

    @app.post("/models/{name}")
    async def my_endpoint(name: str, session: AsyncSession = Depends(get_session)):  # type: ignore[no-untyped-def]
        # Automatic transaction management - no manual commit/rollback needed
        session.add(MyModel(name=name))
        result = await session.execute(select(MyModel))
        return len(result.scalars().all())

    async with asgi_client(app) as client:
        response = await client.post("/models/first")
    assert response.status_code == 200
    assert await names() == ["first"]


async def test_a_failed_commit_is_never_a_2xx(defaults: Any, asgi_client: Any) -> None:
    """Without the session middleware: the duplicate fails at the commit,
    which runs before the response, so the client sees the error (here
    through the project's exception handlers: 409), never a 200."""
    app = FastAPI()
    install_exception_handlers(app)

    @app.post("/models/{name}")
    async def my_endpoint(name: str, session: AsyncSession = Depends(get_session)):  # type: ignore[no-untyped-def]
        session.add(MyModel(name=name))
        return {"ok": True}

    async with asgi_client(app) as client:
        assert (await client.post("/models/same")).status_code == 200
        response = await client.post("/models/same")
    assert response.status_code == 409, response.text
    assert await names() == ["same"]


# -- Sync Sessions (Celery Tasks) ---------------------------------------------------


def my_task() -> list[Any]:
    with get_sync_session() as session:
        # Automatic transaction management
        # Commit on success, rollback on exception
        result = session.execute(select(MyModel))
        return list(result.scalars().all())


def add_in_task(name: str, fail: bool = False) -> None:
    with get_sync_session() as db:
        # Automatic transaction management
        db.add(MyModel(name=name))
        if fail:
            raise RuntimeError("task failed")


async def test_sync_sessions_commit_and_roll_back(defaults: Any) -> None:
    add_in_task("kept")
    with pytest.raises(RuntimeError):
        add_in_task("dropped", fail=True)
    assert [m.name for m in my_task()] == ["kept"]


# -- Context Manager for Programmatic Use --------------------------------------------


async def some_function() -> list[Any]:
    async with get_async_session() as session:
        # Automatic transaction management
        result = await session.execute(select(MyModel))
        return list(result.scalars().all())


async def test_context_manager_for_programmatic_use(defaults: Any) -> None:
    async with get_async_session() as session:
        session.add(MyModel(name="programmatic"))
    assert [m.name for m in await some_function()] == ["programmatic"]


# -- Usage: the dataclass-style Base ---------------------------------------------------


def test_dataclass_style_base() -> None:
    model = MyModel(name="x")
    assert model.name == "x"
    with pytest.raises(TypeError):
        MyModel(id=1, name="x")  # type: ignore[call-arg]  # init=False


async def test_table_creation(defaults: Any) -> None:
    # Async version (used in FastAPI lifespan)
    await create_db_tables()  # idempotent: existing tables are kept


# -- Migration from Legacy Session Management ------------------------------------------


async def test_legacy_imports_still_work(defaults: Any) -> None:
    def legacy_task() -> None:
        with SessionLocal() as db:
            try:
                db.add(MyModel(name="legacy"))
                db.commit()
            except Exception:
                db.rollback()
                raise

    legacy_task()
    dependency = get_db()
    db = next(dependency)
    assert [m.name for m in db.scalars(select(MyModel))] == ["legacy"]
    dependency.close()


# -- Configuration ---------------------------------------------------------------------


def test_db_pool_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "DB_POOL_SIZE": "10",
        "DB_MAX_OVERFLOW": "20",
        "DB_POOL_TIMEOUT": "30",
        "DB_POOL_RECYCLE": "1800",
        "DB_POOL_PRE_PING": "true",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.database_pool_size == 10
    assert settings.database_max_overflow == 20
    assert settings.database_pool_timeout == 30
    assert settings.database_pool_recycle == 1800
    assert settings.database_pool_pre_ping is True


# -- Engine Access and Verification ------------------------------------------------------


async def test_engine_access_and_verification(
    defaults: tuple[Database, AsyncDatabase],
) -> None:
    sync_db, async_db = defaults
    assert sync_engine.url == sync_db.engine.url
    assert async_engine.url == async_db.engine.url

    # Test async session pattern
    async for session in get_session():
        result = await session.execute(text("SELECT 1"))
        assert result.scalar() == 1  # Should print 1
        break

    # Test sync session pattern
    with get_sync_session() as session:
        result = session.execute(text("SELECT 1"))
        assert result.scalar() == 1  # Should print 1
