"""The synchronous database template's usage, run as written.

Its examples with only the import paths changed:
``shared.infrastructure.database`` and ``shared.infrastructure.base_repository``
become ``shared_infrastructure.database.sync``, ``core.config`` becomes
``shared_infrastructure.config.settings``, and ``sqlalchemy.create_engine`` in
the test fixtures becomes ``shared_infrastructure.database.sync.create_engine``
(in-memory SQLite shared between threads; SQLite's ``check_same_thread``
dropped for the servers). Table names carry a prefix so the guides share
one schema; ``ProductService``, which the template leaves to the reader, is
defined here. On PostgreSQL and MariaDB the in-memory test database is a
throwaway database on the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import String, text
from sqlalchemy import create_engine as sqlalchemy_create_engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared_infrastructure.config.settings import settings
from shared_infrastructure.database.sync import (
    NAMING_CONVENTION,
    Base,
    BaseRepository,
    SessionLocal,
    check_database_health,
    create_db_engine,
    create_engine,
    engine,
    get_db,
    get_db_context,
    init_db,
    metadata,
    reset_db,
)
from shared_infrastructure.testing.throwaway import throwaway_database


class ProductModel(Base):
    __tablename__ = "guide_sync_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500), default=None)


# src/product_catalog/infrastructure/repository.py
class ProductRepository(BaseRepository[ProductModel]):
    """CRUD operations for products."""

    def __init__(self, db: Session):
        super().__init__(ProductModel, db)


class ProductService:
    def __init__(self, repository: ProductRepository) -> None:
        self.repository = repository

    def get_all(self) -> list[dict[str, Any]]:
        return [{"code": p.code, "name": p.name} for p in self.repository.get_all()]


# src/product_catalog/api/routes.py
router = APIRouter(prefix="/products", tags=["products"])


def get_product_service(db: Session = Depends(get_db)) -> ProductService:
    """Dependency factory for ProductService."""
    repository = ProductRepository(db)
    return ProductService(repository)


@router.get("/")
def list_products(service: ProductService = Depends(get_product_service)):  # type: ignore[no-untyped-def]
    """List all products."""
    return service.get_all()


# src/main.py
app = FastAPI(title=settings.app_name, version=settings.app_version)
app.include_router(router)


# -- tests/conftest.py, as the template writes it -----------------------------------


@pytest.fixture(scope="module")
def SQLALCHEMY_DATABASE_URL(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    # Use in-memory SQLite for testing (a throwaway server database elsewhere)
    if db_kind == "sqlite":
        yield "sqlite:///:memory:"
        return
    with throwaway_database(db_kind, tmp_path_factory.mktemp("template")) as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture(scope="function")
def db_session(SQLALCHEMY_DATABASE_URL: str) -> Iterator[Session]:
    """Create a fresh database for each test."""
    engine = create_engine(SQLALCHEMY_DATABASE_URL, connect_args={"check_same_thread": False})
    TestingSessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)

    # Create tables
    Base.metadata.create_all(bind=engine)

    db = TestingSessionLocal()
    try:
        yield db
    finally:
        db.close()
        # Drop tables after test
        Base.metadata.drop_all(bind=engine)
        engine.dispose()


@pytest.fixture(scope="function")
def client(db_session: Session) -> Iterator[TestClient]:
    """Create a test client with database override."""

    def override_get_db():  # type: ignore[no-untyped-def]
        try:
            yield db_session
        finally:
            pass

    app.dependency_overrides[get_db] = override_get_db

    with TestClient(app) as test_client:
        yield test_client

    app.dependency_overrides.clear()


def test_routes_use_the_sync_repository(client: TestClient, db_session: Session) -> None:
    ProductRepository(db_session).create(code="PROD001", name="Sample Product")
    db_session.commit()
    response = client.get("/products/")
    assert response.status_code == 200
    assert response.json() == [{"code": "PROD001", "name": "Sample Product"}]
    assert app.title == settings.app_name


def test_the_repository_is_sync(db_session: Session) -> None:
    repository = ProductRepository(db_session)
    product = repository.create(code="P2", name="Lamp")
    assert repository.get(product.id) is product
    assert [p.code for p in repository.get_all()] == ["P2"]


# -- the module-level engine, scripts and health check ------------------------------


@pytest.fixture
def default_database(db_settings, sync_engine):  # type: ignore[no-untyped-def]
    import asyncio

    from shared_infrastructure.database import close_database, init_sync_database
    from shared_infrastructure.testing.plugin import empty_all_tables

    init_sync_database(db_settings)
    yield
    asyncio.run(close_database())
    empty_all_tables(sync_engine)


def seed_products() -> None:
    """Seed initial product data."""
    with get_db_context() as db:
        product = ProductModel(
            code="PROD001", name="Sample Product", description="A sample product"
        )
        db.add(product)
        db.commit()
        print(f"Created product: {product.name}")


def test_standalone_script(default_database: None) -> None:
    init_db()  # idempotent: tables that exist are kept
    seed_products()
    with SessionLocal() as db:
        assert [p.code for p in db.query(ProductModel).all()] == ["PROD001"]
    with get_db_context() as db:
        products = db.query(ProductModel).all()
        print(f"Found {len(products)} products")
    assert len(products) == 1


def test_get_db_context_rolls_back_on_error(default_database: None) -> None:
    with pytest.raises(RuntimeError), get_db_context() as db:
        db.add(ProductModel(code="X", name="never"))
        db.flush()
        raise RuntimeError("boom")
    with SessionLocal() as db:
        assert db.query(ProductModel).count() == 0


def check_database_health_as_written() -> dict[str, Any]:
    """Check database connectivity."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "healthy", "database": "connected"}
    except Exception as e:
        return {"status": "unhealthy", "database": str(e)}


def test_health_check(default_database: None) -> None:
    health = check_database_health()
    assert health["status"] == "healthy"
    assert health["database"] == "connected"
    assert check_database_health_as_written() == {"status": "healthy", "database": "connected"}


def test_health_check_of_a_database_that_went_away() -> None:
    unreachable = sqlalchemy_create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    try:
        health = check_database_health(unreachable)
    finally:
        unreachable.dispose()
    assert health["status"] == "unhealthy"
    assert health["database"]


def test_naming_convention_and_engine_factory(db_settings) -> None:  # type: ignore[no-untyped-def]
    assert metadata is Base.metadata
    assert metadata.naming_convention["uq"] == NAMING_CONVENTION["uq"]
    assert ProductModel.__table__.c.code.unique
    built = create_db_engine(db_settings)
    try:
        with built.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        built.dispose()


def test_reset_db_gives_a_clean_slate(db_session: Session) -> None:
    bind = db_session.get_bind()
    db_session.add(ProductModel(code="A", name="a"))
    db_session.commit()
    db_session.close()
    reset_db(bind)
    assert db_session.query(ProductModel).count() == 0
