"""pytest plugin: pick the database once, isolate every test in a transaction.

Choose with ``--db sqlite|postgresql|mariadb`` or ``TEST_DATABASE``
(``sqlite`` by default). Server URLs come from ``TEST_POSTGRESQL_URL`` /
``TEST_MARIADB_URL`` (defaults: the local servers). Each run gets its own
throwaway database, the schema is created from ``Base.metadata`` (every
record imported by the collected tests), and each test runs inside a
transaction rolled back at its end; code under test that commits only
releases a SAVEPOINT (``join_transaction_mode="create_savepoint"``).

Fixtures: ``db_kind``, ``db_url``, ``db_settings``, ``sync_engine``,
``async_engine``, ``connection``, ``session``, ``sync_database``,
``async_connection``, ``async_session``, ``database`` (an ``AsyncDatabase``
on the test transaction), ``database_factory`` / ``committing_database``
(real commits on their own pooled engine, for concurrency tests; tables
are emptied afterwards) and ``asgi_client`` (an httpx client for an app).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import Connection, Engine, delete
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from shared_infrastructure.config.settings import Environment, Settings, load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase, Database
from shared_infrastructure.database.defaults import use_default_databases
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.database.sessions import AppSession
from shared_infrastructure.testing.throwaway import KINDS, throwaway_database

DB_ENV = "TEST_DATABASE"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("database")
    group.addoption(
        "--db",
        action="store",
        dest="db_kind",
        default=None,
        choices=KINDS,
        help=f"database to run the tests on (default: ${DB_ENV} or sqlite)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {_kind(config)}"


def _kind(config: pytest.Config) -> str:
    kind = config.getoption("db_kind") or os.environ.get(DB_ENV) or "sqlite"
    if kind not in KINDS:
        raise pytest.UsageError(f"{DB_ENV}={kind!r}: choose one of {', '.join(KINDS)}")
    return str(kind)


@pytest.fixture(scope="session")
def db_kind(pytestconfig: pytest.Config) -> str:
    return _kind(pytestconfig)


@pytest.fixture(scope="session")
def db_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    with throwaway_database(db_kind, tmp_path_factory.mktemp("sqlite")) as url:
        yield url


@pytest.fixture(scope="session")
def db_settings(db_url: URL) -> Settings:
    return load_settings(
        database_url=db_url.render_as_string(hide_password=False),
        environment=Environment.TESTING,
        database_pool_size=5,
        database_max_overflow=10,
        database_pool_timeout=10,
        # Tests kill server connections on purpose; the fixtures' own pooled
        # connections must survive that whatever their idle time.
        database_pool_pre_ping_idle=0,
    )


@pytest.fixture(scope="session")
def sync_engine(db_settings: Settings) -> Iterator[Engine]:
    engine = create_sync_engine(db_settings)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def async_engine(db_settings: Settings, sync_engine: Engine) -> AsyncIterator[AsyncEngine]:
    engine = create_async_db_engine(db_settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def connection(sync_engine: Engine) -> Iterator[Connection]:
    with sync_engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            if outer.is_active:
                outer.rollback()


@pytest.fixture
def sync_session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection,
        class_=AppSession,
        join_transaction_mode="create_savepoint",
        autoflush=False,
        expire_on_commit=False,
    )


@pytest.fixture
def session(sync_engine: Engine, sync_session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test transaction; it is also the default sync
    database's session, so active records (``Model.save()``,
    ``Model.session``) and ``transaction()`` use it."""
    database = Database(sync_engine, session_factory=sync_session_factory)
    with use_default_databases(sync=database), database.scope() as sync_session:
        yield sync_session


@pytest.fixture
def sync_database(sync_engine: Engine, sync_session_factory: sessionmaker[Session]) -> Database:
    return Database(sync_engine, session_factory=sync_session_factory)


@pytest_asyncio.fixture(loop_scope="session")
async def async_connection(async_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with async_engine.connect() as conn:
        outer = await conn.begin()
        try:
            yield conn
        finally:
            if outer.is_active:
                await outer.rollback()


@pytest.fixture
def async_session_factory(async_connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=async_connection,
        sync_session_class=AppSession,
        join_transaction_mode="create_savepoint",
        autoflush=False,
        expire_on_commit=False,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def async_session(
    async_session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with async_session_factory() as s:
        yield s


@pytest.fixture
def database(
    async_engine: AsyncEngine, async_session_factory: async_sessionmaker[AsyncSession]
) -> AsyncDatabase:
    """An ``AsyncDatabase`` whose sessions all join the test's transaction."""
    return AsyncDatabase(async_engine, session_factory=async_session_factory)


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


DatabaseFactory = Callable[..., AsyncDatabase]


@pytest_asyncio.fixture(loop_scope="session")
async def database_factory(
    db_settings: Settings, sync_engine: Engine
) -> AsyncIterator[DatabaseFactory]:
    """Build real, committing ``AsyncDatabase``s (own engines, own pools).

    Keyword arguments override settings, e.g. ``database_pool_size=1``.
    Everything they wrote is deleted when the test ends.
    """
    created: list[AsyncDatabase] = []

    def build(**overrides: Any) -> AsyncDatabase:
        settings = db_settings.model_copy(update=overrides)
        built = AsyncDatabase(create_async_db_engine(settings))
        created.append(built)
        return built

    try:
        yield build
    finally:
        for built in created:
            await built.dispose()
        empty_all_tables(sync_engine)


@pytest.fixture
def committing_database(database_factory: DatabaseFactory) -> AsyncDatabase:
    return database_factory()


AsgiClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def asgi_client() -> AsgiClientFactory:
    """``async with asgi_client(app, overrides={dep: fake}) as client: ...``"""

    @asynccontextmanager
    async def open_client(
        app: Any, overrides: dict[Callable[..., Any], Callable[..., Any]] | None = None
    ) -> AsyncIterator[httpx.AsyncClient]:
        previous = dict(getattr(app, "dependency_overrides", {}))
        if overrides:
            app.dependency_overrides.update(overrides)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c
        finally:
            if hasattr(app, "dependency_overrides"):
                app.dependency_overrides.clear()
                app.dependency_overrides.update(previous)

    return open_client


@pytest.fixture
def default_databases(sync_database: Database, database: AsyncDatabase) -> Iterator[None]:
    """Point the seeds' module-level helpers (``transaction()``,
    ``get_session()``, ``BaseModel.save()``...) at the test transaction."""
    with use_default_databases(sync=sync_database, async_=database):
        yield
