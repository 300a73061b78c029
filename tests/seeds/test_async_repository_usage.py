"""The async repository usage guide, run as written.

Its examples with only the import paths changed: ``app.shared.database``
becomes ``shared_infrastructure.database`` (its ``session``, ``engine``,
``health`` and ``migrations`` submodules keep their names),
``app.shared.exceptions`` becomes ``shared_infrastructure.database.errors``,
``app.shared.responses`` becomes ``shared_infrastructure.web.responses`` and
``app.shared.config`` becomes ``shared_infrastructure.config``. Table names
carry a prefix so the guides share one schema; ``User.last_login`` and
``Post``, which the guide uses without defining, are added.

Where the project deliberately differs (soft-deleted rows are hidden from
queries), the test asserts the project's behaviour (docs/database.md,
"Where the project differs from the usage guides").
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Optional

import pytest
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import (
    Engine,
    ForeignKey,
    String,
    and_,
    create_engine,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_infrastructure.config import get_settings
from shared_infrastructure.database import (
    Base,
    BaseRepository,
    SoftDeleteMixin,
    TimestampMixin,
    check_database_health,
    close_database,
    get_session,
    get_session_dependency,
    init_database,
    transaction,
)
from shared_infrastructure.database.engine import create_test_engine
from shared_infrastructure.database.errors import DatabaseError, NotFoundError, ValidationError
from shared_infrastructure.database.health import get_database_info
from shared_infrastructure.database.session import create_session_factory
from shared_infrastructure.testing.plugin import empty_all_tables
from shared_infrastructure.testing.throwaway import throwaway_database
from shared_infrastructure.web.responses import error, error_from_exception, success

logger = logging.getLogger(__name__)


class User(Base, TimestampMixin, SoftDeleteMixin):
    """User model with timestamps and soft delete."""

    __tablename__ = "guide_repo_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login: Mapped[datetime | None] = mapped_column(default=None)


class Post(Base):
    __tablename__ = "guide_repo_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("guide_repo_users.id"), default=None)
    user: Mapped[User | None] = relationship(lambda: User)


class MyModel(Base):
    __tablename__ = "guide_repo_my_table"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Product(Base, SoftDeleteMixin):
    __tablename__ = "guide_repo_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


# -- Testing: the guide's fixtures -------------------------------------------------


@pytest.fixture
async def test_engine(db_kind: str, db_url: URL, sync_engine: Engine) -> AsyncIterator[AsyncEngine]:
    """Create test database engine."""
    # Use in-memory SQLite or test database
    url = (
        "sqlite+aiosqlite:///:memory:"
        if db_kind == "sqlite"
        else db_url.render_as_string(hide_password=False)
    )
    engine = create_test_engine(url)

    # Create tables
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)

    await init_database(engine)
    yield engine
    await close_database()
    empty_all_tables(sync_engine)


@pytest.fixture
async def session(test_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """Create test session."""
    from shared_infrastructure.database import get_session

    async with get_session() as session:
        yield session


# -- Quick Start -------------------------------------------------------------------


async def test_quick_start_repository(test_engine: AsyncEngine) -> None:
    # Using repository directly
    async with get_session() as session:
        user_repo = BaseRepository(User, session)

        # Create
        user = await user_repo.create(name="John Doe", email="john@example.com")

        # Read
        user = await user_repo.get(user.id)
        users = await user_repo.get_all(limit=10)
        assert [u.name for u in users] == ["John Doe"]

        # Update
        user = await user_repo.update(user.id, name="Jane Doe")
        assert user is not None and user.name == "Jane Doe"

        # Delete
        assert await user_repo.delete(user.id) is True
        # Soft-deletable: the row is kept, marked, and hidden from reads.
        assert await user_repo.get(user.id) is None
        assert await user_repo.count(include_deleted=True) == 1


async def test_fastapi_dependency_injection(test_engine: AsyncEngine, asgi_client: Any) -> None:
    router = APIRouter()

    @router.get("/users/{user_id}")
    async def get_user(user_id: int, session: AsyncSession = Depends(get_session_dependency)):  # type: ignore[no-untyped-def]
        """Get user by ID."""
        try:
            repo = BaseRepository(User, session)
            user = await repo.get_or_raise(user_id)
            return success(data=user.to_dict())
        except NotFoundError as e:
            return error_from_exception(e)

    app = FastAPI()
    app.include_router(router)
    async with get_session() as s:
        user = await BaseRepository(User, s).create(name="John", email="john@example.com")
    async with asgi_client(app) as client:
        found = await client.get(f"/users/{user.id}")
        missing = await client.get("/users/999")
    assert found.status_code == 200
    assert found.json()["data"]["name"] == "John"
    assert missing.status_code == 404
    assert missing.json()["success"] is False


# -- Configuration -----------------------------------------------------------------


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://user:pass@localhost/dbname")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "20")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "40")
    monkeypatch.setenv("DATABASE_POOL_RECYCLE", "3600")
    monkeypatch.setenv("DATABASE_ECHO_POOL", "false")
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.database_url == "postgresql+asyncpg://user:pass@localhost/dbname"
        assert settings.database_pool_size == 20
        assert settings.database_max_overflow == 40
    finally:
        get_settings.cache_clear()


# -- Base Model --------------------------------------------------------------------


def test_base_model_features() -> None:
    user = User(id=1, name="John")
    as_dict = user.to_dict()
    assert as_dict["id"] == 1 and as_dict["name"] == "John"
    assert isinstance(as_dict["created_at"], datetime)  # set before the first flush
    assert repr(user).startswith("User(id=1, name='John'")
    with pytest.raises(TypeError):
        Base()  # Abstract base (cannot instantiate directly)


async def test_timestamps_have_a_server_side_default(session: AsyncSession) -> None:
    await session.execute(
        text("INSERT INTO guide_repo_users (id, name, is_active) VALUES (7, 'raw', TRUE)")
    )
    user = await BaseRepository(User, session).get(7)
    assert user is not None and user.created_at.tzinfo is not None
    assert user.updated_at is not None


async def test_soft_delete_and_restore(session: AsyncSession) -> None:
    repo = BaseRepository(Product, session)
    await repo.create(id=1, name="Lamp")
    product = await repo.get(1)
    assert product is not None

    # Soft delete
    product.soft_delete()
    await session.commit()
    assert product.is_deleted is True  # True
    assert isinstance(product.deleted_at, datetime)  # datetime
    # Differs from the guide: soft-deleted rows are hidden from queries.
    assert await repo.get(1) is None
    assert (await session.scalars(select(Product))).all() == []

    # Restore
    product.restore()
    await session.commit()
    assert product.is_deleted is False  # False
    assert await repo.get(1) is product


# -- Repository Pattern ------------------------------------------------------------


async def test_create_read_update_delete(session: AsyncSession) -> None:
    repo = BaseRepository(User, session)

    # Create single
    user = await repo.create(name="John Doe", email="john@example.com", is_active=True)
    # Create multiple
    users = await repo.create_many(
        [
            {"name": "John", "email": "john2@example.com"},
            {"name": "Jane", "email": "jane@example.com"},
        ]
    )
    # All instances are flushed and refreshed
    assert user.id is not None and all(u.id is not None for u in users)

    # Get by primary key
    assert (await repo.get(user.id)) is user
    # Get by filters
    assert (await repo.get_by(email="john@example.com")) is user
    assert (await repo.get_by(name="John", is_active=True)) is users[0]
    # Get all with pagination
    assert len(await repo.get_all(skip=0, limit=10)) == 3
    # Filter with pagination
    assert len(await repo.filter(is_active=True, skip=0, limit=20)) == 3
    # Count
    assert await repo.count() == 3
    assert await repo.count(is_active=True) == 3
    # Check existence
    assert await repo.exists(email="john@example.com") is True

    # Update by ID
    updated = await repo.update(user.id, name="Jane Doe", is_active=False)
    assert updated is not None and updated.name == "Jane Doe"
    # Update many by filter
    updated_count = await repo.update_many(filters={"is_active": False}, name="Inactive User")
    assert updated_count == 1

    # Delete by ID
    assert await repo.delete(users[0].id) is True  # True if deleted
    assert await repo.delete(999) is False  # False if not found
    # Delete many by filter
    deleted_count = await repo.delete_many(is_active=False)
    assert deleted_count == 1
    assert await repo.count() == 1


async def test_exception_raising_variants(session: AsyncSession) -> None:
    repo = BaseRepository(User, session)
    try:
        # Raises NotFoundError if not found
        await repo.get_or_raise(999)
    except NotFoundError as e:
        response = error_from_exception(e)
    assert response.status_code == 404
    with pytest.raises(NotFoundError):
        await repo.get_by_or_raise(email="nonexistent@example.com")


async def test_custom_queries_with_naive_datetimes(session: AsyncSession) -> None:
    repo = BaseRepository(User, session)
    await repo.create(name="New", email="new@example.com", last_login=datetime.now())
    await repo.create(
        name="Old", email="old@example.com", last_login=datetime.now() - timedelta(days=60)
    )

    # Custom select
    stmt = (
        select(User)
        .where(and_(User.is_active == True, User.created_at > datetime.now() - timedelta(days=7)))
        .order_by(User.created_at.desc())
    )
    result = await repo.execute(stmt)
    recent_users = result.scalars().all()
    assert {u.name for u in recent_users} == {"New", "Old"}

    # Custom update
    stmt = (
        update(User)
        .where(User.last_login < datetime.now() - timedelta(days=30))
        .values(is_active=False)
    )
    await repo.execute(stmt)
    assert [u.name for u in await repo.filter(is_active=False)] == ["Old"]


class UserRepository(BaseRepository[User]):
    """User-specific repository."""

    def __init__(self, session: AsyncSession):
        super().__init__(User, session)

    async def get_by_email(self, email: str) -> Optional[User]:
        """Get user by email."""
        return await self.get_by(email=email)

    async def get_active_users(self, limit: int = 10) -> list[User]:
        """Get active users."""
        return await self.filter(is_active=True, limit=limit)

    async def deactivate_old_users(self, days: int = 90) -> int:
        """Deactivate users inactive for N days."""
        cutoff = datetime.now() - timedelta(days=days)
        return await self.update_many(filters={"last_login__lt": cutoff}, is_active=False)


async def test_subclassing_repository(session: AsyncSession) -> None:
    repo = UserRepository(session)
    await repo.create(name="John", email="john@example.com", last_login=datetime.now())
    await repo.create(name="Gone", email="gone@example.com", last_login=datetime(2020, 1, 1))
    user = await repo.get_by_email("john@example.com")
    assert user is not None and user.name == "John"
    assert len(await repo.get_active_users(limit=5)) == 2
    assert await repo.deactivate_old_users() == 1


# -- Session Management ------------------------------------------------------------


async def test_manual_session_control_commits(test_engine: AsyncEngine) -> None:
    async with get_session() as session:
        repo = BaseRepository(User, session)
        await repo.create(name="John")
        # Automatic commit here
    async with get_session() as session:
        assert await BaseRepository(User, session).count(name="John") == 1

    with pytest.raises(RuntimeError):
        async with get_session() as session:
            await BaseRepository(User, session).create(name="Rolled back")
            raise RuntimeError("boom")
    async with get_session() as session:
        assert await BaseRepository(User, session).count(name="Rolled back") == 0


async def test_session_factory(test_engine: AsyncEngine) -> None:
    factory = create_session_factory()

    async with factory() as session:
        # Use session
        result = await session.execute(select(User))
        users = result.scalars().all()
    assert users == []


# -- Transaction Management --------------------------------------------------------


async def test_explicit_transactions(test_engine: AsyncEngine) -> None:
    async with get_session() as session:
        # Explicit transaction boundary
        async with transaction(session):
            user = User(name="John")
            session.add(user)

            post = Post(title="First Post", user_id=user.id)
            session.add(post)

            # Commits automatically if no exception
            # Rolls back automatically on exception
        async with get_session() as other:
            assert await BaseRepository(Post, other).count(title="First Post") == 1


async def test_nested_transactions_use_savepoints(test_engine: AsyncEngine) -> None:
    async with get_session() as session:
        user = User(name="John")
        session.add(user)

        try:
            # Nested transaction uses savepoint
            async with transaction(session):
                post = Post(title="Bad Post", user=user)
                session.add(post)
                raise ValueError("Something went wrong")
        except ValueError:
            # Inner transaction rolled back to savepoint
            # Outer transaction continues
            pass

        # User is still saved
        await session.commit()
    async with get_session() as session:
        assert await BaseRepository(User, session).count(name="John") == 1
        assert await BaseRepository(Post, session).count() == 0


async def test_transaction_errors_are_database_errors(
    test_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with get_session() as session:
        await BaseRepository(User, session).create(name="John", email="john@example.com")

    async with get_session() as session:
        try:
            async with transaction(session):
                # Database operations
                session.add(User(name="Again", email="john@example.com"))
        except DatabaseError as e:
            # Already logged and wrapped
            logger.error(f"Transaction failed: {e.message}")
            response = error_from_exception(e)
    assert response.status_code == 409


async def test_automatic_error_logging(
    test_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with create_session_factory()() as session:
        repo = BaseRepository(User, session)
        await repo.create(name="John", email="john@example.com")
        try:
            user = await repo.create(name="John", email="john@example.com")
        except DatabaseError:
            # Already logged
            pass
        else:
            raise AssertionError(f"a duplicate email must fail, not give {user}")
    record = next(r for r in caplog.records if r.getMessage() == "Failed to create User")
    assert record.levelno == logging.ERROR
    assert record.entity_type == "User"  # type: ignore[attr-defined]
    assert "IntegrityError" in record.error  # type: ignore[attr-defined]
    assert record.attributes["name"] == "'John'"  # type: ignore[attr-defined]


async def test_duplicate_check_with_validation_error(
    test_engine: AsyncEngine, asgi_client: Any
) -> None:
    router = APIRouter()

    @router.post("/users")
    async def create_user(
        data: dict[str, str], session: AsyncSession = Depends(get_session_dependency)
    ):  # type: ignore[no-untyped-def]
        try:
            repo = BaseRepository(User, session)

            # Check for duplicates
            if await repo.exists(email=data["email"]):
                raise ValidationError(
                    message="Email already exists", context={"email": data["email"]}
                )

            # Create user
            user = await repo.create(**data)
            return success(data=user.to_dict(), message="User created")

        except (DatabaseError, ValidationError) as e:
            # Already logged with context
            return error_from_exception(e)

    app = FastAPI()
    app.include_router(router)
    async with asgi_client(app) as client:
        created = await client.post("/users", json={"name": "J", "email": "j@example.com"})
        duplicate = await client.post("/users", json={"name": "J", "email": "j@example.com"})
    assert created.status_code == 200 and created.json()["message"] == "User created"
    assert duplicate.status_code == 422
    assert duplicate.json()["message"] == "Email already exists"


# -- Health Checks -----------------------------------------------------------------


async def test_health_checks(test_engine: AsyncEngine, asgi_client: Any) -> None:
    health = await check_database_health()
    assert health["healthy"] is True
    assert health["latency_ms"] >= 0 and health["error"] is None

    router = APIRouter()

    @router.get("/health/database")
    async def database_health():  # type: ignore[no-untyped-def]
        """Database health check endpoint."""
        health = await check_database_health()

        if health["healthy"]:
            return success(
                data={"status": "healthy", "latency_ms": health["latency_ms"]},
                message="Database is healthy",
            )
        return error(
            message="Database is unhealthy", status_code=503, details={"error": health["error"]}
        )

    app = FastAPI()
    app.include_router(router)
    async with asgi_client(app) as client:
        response = await client.get("/health/database")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "healthy"

    info = await get_database_info()
    assert info["version"]
    assert set(info["connections"]) >= {"active", "idle"}


# -- Testing -----------------------------------------------------------------------


async def test_create_user(session: AsyncSession) -> None:
    """Test user creation."""
    repo = BaseRepository(User, session)

    user = await repo.create(name="John Doe", email="john@example.com")

    assert user.id is not None
    assert user.name == "John Doe"
    assert user.email == "john@example.com"


async def test_user_not_found(session: AsyncSession) -> None:
    """Test NotFoundError is raised."""
    from shared_infrastructure.database.errors import NotFoundError

    repo = BaseRepository(User, session)

    with pytest.raises(NotFoundError):
        await repo.get_or_raise(999)


async def test_bare_string_columns_work_everywhere(session: AsyncSession) -> None:
    """``name: Mapped[str]`` without a length (MariaDB needs one)."""
    await session.execute(insert(MyModel), [{"id": 1, "name": "x" * 200}])
    assert (await session.get(MyModel, 1)) is not None


# -- Migrations with Alembic -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_database_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test (migrations build it)."""
    with throwaway_database(db_kind, tmp_path / "fresh") as url:
        yield url.render_as_string(hide_password=False)


def alembic(*arguments: str, database_url: str) -> str:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "alembic"), *arguments],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout + completed.stderr


def test_manual_alembic_commands(fresh_database_url: str) -> None:
    """From the workspace root, over every context's branch ("heads": each
    context has its own history)."""
    alembic("upgrade", "heads", database_url=fresh_database_url)
    assert "(head)" in alembic("current", database_url=fresh_database_url)
    engine = create_engine(fresh_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"products", "events", "messaging_outbox", "messaging_inbox"} <= tables
    history = alembic("history", database_url=fresh_database_url)
    assert "product_catalog" in history and "events" in history
    alembic("downgrade", "base", database_url=fresh_database_url)
    assert "(head)" not in alembic("current", database_url=fresh_database_url)


def alembic_init_layout() -> None:
    """``alembic init migrations``, then migrations/env.py edited to import
    ``Base.metadata``, as the guide says."""
    from alembic import command
    from alembic.config import Config

    command.init(Config("alembic.ini"), "migrations")
    env = Path("migrations/env.py")
    # This guide's tables only: in a test run, Base.metadata also holds the
    # records of every other test module.
    target = (
        "from sqlalchemy import MetaData\n"
        "from shared_infrastructure.database import Base\n"
        "target_metadata = MetaData(naming_convention=Base.metadata.naming_convention)\n"
        "for name, table in Base.metadata.tables.items():\n"
        "    if name.startswith('guide_repo_'):\n"
        "        table.to_metadata(target_metadata)\n"
    )
    env.write_text(env.read_text().replace("target_metadata = None", target))


def revision_source() -> str:
    return next(Path("migrations/versions").glob("*.py")).read_text()


async def test_migration_utilities_with_an_alembic_init_layout(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared_infrastructure.config import load_settings
    from shared_infrastructure.database import close_database, init_database
    from shared_infrastructure.database.migrations import (
        create_migration,
        get_migration_history,
        rollback_migration,
        run_migrations,
    )

    monkeypatch.chdir(tmp_path)
    alembic_init_layout()
    await init_database(load_settings(database_url=fresh_database_url))  # the URL: settings
    try:
        migrations_dir = Path("migrations")

        # Create migration
        await create_migration(
            message="add users table",
            migrations_dir=migrations_dir,
            autogenerate=True,  # Auto-detect model changes
        )
        assert "import shared_infrastructure.database.types" in revision_source()

        # Run migrations
        await run_migrations(revision="head", migrations_dir=migrations_dir)

        # View history
        history = await get_migration_history(migrations_dir)
        assert len(history) == 1

        # Rollback
        await rollback_migration(steps=1, migrations_dir=migrations_dir)
    finally:
        await close_database()
