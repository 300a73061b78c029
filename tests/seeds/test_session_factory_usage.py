"""The session-factory usage guide (engine, ``SessionLocal``, ``get_db``),
run as written.

Its examples with only the import paths changed: ``database.db`` becomes
``shared_infrastructure.database.sync``, and ``sqlalchemy.create_engine`` in
the test fixtures becomes ``shared_infrastructure.database.sync.create_engine``
(the same function, except that in-memory SQLite shares one connection
between threads, so the tables a fixture creates exist for the app's
threads too). Table names carry a prefix so the guides share one schema;
the guide's missing pieces (``Text``, ``User.role``, the pydantic schemas)
are filled in, and relationships name their target class rather than the
string ``"User"``, which other guides' models share in one registry. On
PostgreSQL and MariaDB the guide's in-memory test database is a throwaway
database on the server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel as Schema
from pydantic import ConfigDict
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    func,
    inspect,
    or_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.future import select
from sqlalchemy.orm import Session, joinedload, relationship, sessionmaker

from shared_infrastructure.config import load_settings
from shared_infrastructure.database.sync import (
    AsyncSessionLocal,
    Base,
    SessionLocal,
    async_engine,
    create_engine,
    engine,
    get_async_db,
    get_db,
)
from shared_infrastructure.testing.throwaway import throwaway_database


class User(Base):
    __tablename__ = "guide_sf_users"

    id = Column(Integer, primary_key=True, index=True)
    email = Column(String(255), unique=True, index=True, nullable=False)
    username = Column(String(100), unique=True, index=True, nullable=False)
    hashed_password = Column(String(255), nullable=False, default="")
    is_active = Column(Boolean, default=True)
    role = Column(String(50), default="member")
    created_at = Column(DateTime, server_default=func.now())
    updated_at = Column(DateTime, onupdate=func.now())

    # Relationships
    posts = relationship(lambda: Post, back_populates="author")


class Post(Base):
    __tablename__ = "guide_sf_posts"

    id = Column(Integer, primary_key=True, index=True)
    title = Column(String(200), nullable=False)
    content = Column(Text)
    author_id = Column(Integer, ForeignKey("guide_sf_users.id"), nullable=False)
    created_at = Column(DateTime, server_default=func.now())

    # Relationships
    author = relationship(lambda: User, back_populates="posts")


class UserCreate(Schema):
    email: str
    username: str


class UserRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    username: str


app = FastAPI()


# Create
@app.post("/users/", response_model=UserRead)
def create_user(user: UserCreate, db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    db_user = User(**user.model_dump())
    db.add(db_user)
    db.commit()
    db.refresh(db_user)
    return db_user


# Read
@app.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: int, db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    user = db.query(User).filter(User.id == user_id).first()
    if not user:
        raise HTTPException(status_code=404, detail="User not found")
    return user


# Update
@app.put("/users/{user_id}", response_model=UserRead)
def update_user(user_id: int, user_data: UserCreate, db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    user = db.query(User).filter(User.id == user_id).first()
    if not user:
        raise HTTPException(status_code=404, detail="User not found")

    for key, value in user_data.model_dump().items():
        setattr(user, key, value)

    db.commit()
    db.refresh(user)
    return user


# Delete
@app.delete("/users/{user_id}")
def delete_user(user_id: int, db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    user = db.query(User).filter(User.id == user_id).first()
    if not user:
        raise HTTPException(status_code=404, detail="User not found")

    db.delete(user)
    db.commit()
    return {"message": "User deleted"}


# -- Testing: the guide's fixtures -------------------------------------------------


@pytest.fixture(scope="module")
def TEST_DATABASE_URL(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Use in-memory SQLite for tests (a throwaway server database elsewhere)
    if db_kind == "sqlite":
        yield "sqlite:///:memory:"
        return
    with throwaway_database(db_kind, tmp_path_factory.mktemp("guide")) as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture(scope="function")
def db_session(TEST_DATABASE_URL: str) -> Iterator[Session]:
    engine = create_engine(TEST_DATABASE_URL)
    TestingSessionLocal = sessionmaker(bind=engine)

    # Create tables
    Base.metadata.create_all(bind=engine)

    session = TestingSessionLocal()
    try:
        yield session
    finally:
        session.close()
        Base.metadata.drop_all(bind=engine)
        engine.dispose()


@pytest.fixture
def client(db_session: Session) -> Iterator[TestClient]:
    def override_get_db():  # type: ignore[no-untyped-def]
        try:
            yield db_session
        finally:
            pass

    app.dependency_overrides[get_db] = override_get_db
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


def test_create_user(client: TestClient) -> None:
    response = client.post("/users/", json={"email": "test@example.com", "username": "testuser"})
    assert response.status_code == 200


def test_crud_operations(client: TestClient) -> None:
    created = client.post("/users/", json={"email": "a@example.com", "username": "a"}).json()
    user_id = created["id"]
    assert client.get(f"/users/{user_id}").json()["username"] == "a"
    updated = client.put(f"/users/{user_id}", json={"email": "b@example.com", "username": "b"})
    assert updated.json()["email"] == "b@example.com"
    assert client.delete(f"/users/{user_id}").json() == {"message": "User deleted"}
    assert client.get(f"/users/{user_id}").status_code == 404
    # A duplicate is refused by the database, nothing half-written.
    client.post("/users/", json={"email": "c@example.com", "username": "c"})
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        client.post("/users/", json={"email": "c@example.com", "username": "c"})


def test_query_examples(db_session: Session) -> None:
    db = db_session
    db.add_all(
        [
            User(email="ann@example.com", username="ann", role="admin"),
            User(email="bob@example.com", username="bob", is_active=False),
        ]
    )
    db.commit()
    db.add(Post(title="Hello", content="...", author_id=db.query(User).first().id))  # type: ignore[union-attr]
    db.commit()
    date_threshold = datetime(2000, 1, 1)
    email, username = "ann@example.com", "nobody"

    # Basic query
    users = db.query(User).all()
    assert len(users) == 2
    # Filter
    active_users = db.query(User).filter(User.is_active == True).all()
    assert [u.username for u in active_users] == ["ann"]
    # Multiple filters
    users = (
        db.query(User).filter(and_(User.is_active == True, User.created_at > date_threshold)).all()
    )
    assert len(users) == 1
    # OR condition
    user = db.query(User).filter(or_(User.email == email, User.username == username)).first()
    assert user is not None and user.username == "ann"
    # Join with relationship
    posts_with_authors = db.query(Post).options(joinedload(Post.author)).all()
    assert posts_with_authors[0].author.username == "ann"
    # Aggregation
    assert db.query(func.count(User.id)).scalar() == 2
    # Pagination
    assert db.query(User).offset(20).limit(10).all() == []
    # Sorting
    assert len(db.query(User).order_by(User.created_at.desc()).all()) == 2
    # Distinct
    assert len(db.query(User.email).distinct().all()) == 2
    # Group by
    role_counts = db.query(User.role, func.count(User.id)).group_by(User.role).all()
    assert sorted(role_counts) == [("admin", 1), ("member", 1)]


def test_transfer_funds_pattern_rolls_back(db_session: Session) -> None:
    db = db_session
    try:
        db.add(User(email="x@example.com", username="x"))
        db.add(User(email="x@example.com", username="y"))
        db.commit()
    except Exception:
        db.rollback()  # Rollback on error
    assert db.query(User).count() == 0


# -- The module-level engine, session factories and dependencies ---------------------


@pytest.fixture
def default_sync(db_settings, sync_engine):  # type: ignore[no-untyped-def]
    from shared_infrastructure.database import close_database, init_sync_database
    from shared_infrastructure.testing.plugin import empty_all_tables

    init_sync_database(db_settings)
    yield
    asyncio.run(close_database())
    empty_all_tables(sync_engine)


def test_module_level_engine_and_session_factory(default_sync) -> None:  # type: ignore[no-untyped-def]
    # Good - using context manager
    with SessionLocal() as db:
        db.add(User(email="ctx@example.com", username="ctx"))
        db.commit()
    with SessionLocal() as db:
        users = db.query(User).all()
    assert [u.username for u in users] == ["ctx"]

    def table_exists(table_name: str) -> bool:
        inspector = inspect(engine)
        return table_name in inspector.get_table_names()

    assert table_exists("guide_sf_users")
    # Create specific table
    User.__table__.create(bind=engine, checkfirst=True)


async def test_async_support(database_factory) -> None:  # type: ignore[no-untyped-def]
    from shared_infrastructure.database import use_default_databases

    with use_default_databases(async_=database_factory()):
        async for db in get_async_db():
            db.add(User(email="async@example.com", username="async"))
            await db.commit()
        async with AsyncSessionLocal() as session:
            result = await session.execute(select(User))
            users = result.scalars().all()
        assert [u.username for u in users] == ["async"]
        assert async_engine.dialect.is_async
        assert isinstance(session, AsyncSession)


def test_configuration_in_config_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("config.json").write_text(
        json.dumps(
            {
                "database": {
                    "url": "sqlite:///./app.db",
                    "echo": False,
                    "pool_size": 5,
                    "max_overflow": 10,
                    "pool_timeout": 30,
                }
            }
        )
    )
    config = load_settings()
    assert config.database_url == "sqlite:///./app.db"
    assert (config.database_pool_size, config.database_max_overflow) == (5, 10)
    assert config.database_pool_recycle == 3600  # Recycle connections after 1 hour
    assert config.database_pool_pre_ping is True  # Verify connections before use
