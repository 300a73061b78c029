"""The yardstick: the endpoint a careful engineer writes by hand.

FastAPI + ``AsyncSession`` on the service's own ``products`` table, with a
pydantic response model, ``session.get`` / ``add`` + ``commit``, the same
URLs, bodies, status codes and headers (``ETag``, ``If-Match`` checked
through SQLAlchemy's version counter, ``Location``, 409 on a duplicate code)
and the same pool size. No layers: no unit of work, no mapping to an
aggregate, no middleware. On SQLite it sets the pragmas any production
SQLite app needs (WAL, busy timeout), or the comparison would be about those.

Built by :func:`create_app` from ``BENCH_DATABASE_URL`` (async URL). No
``from __future__ import annotations``: FastAPI must evaluate the route
signatures, which use the ``Session`` alias local to the factory.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import CHAR, Numeric, String, Text, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from shared_infrastructure.database.types import UtcDateTime

DATABASE_URL_ENV = "BENCH_DATABASE_URL"


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    price_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    price_currency: Mapped[str] = mapped_column(CHAR(3))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)

    __mapper_args__ = {"version_id_col": version}


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal
    currency: str


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    description: str = ""
    price: Price


class ProductPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    price: Price | None = None


class ProductOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    description: str
    price: Price
    status: str
    version: int

    @classmethod
    def of(cls, product: Product) -> "ProductOut":
        return cls(
            id=product.id,
            code=product.code,
            name=product.name,
            description=product.description,
            price=Price(amount=product.price_amount, currency=product.price_currency),
            status=product.status,
            version=product.version,
        )


class ProductPageOut(BaseModel):
    items: list[ProductOut]
    total: int
    limit: int
    offset: int


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_app(url: str | None = None) -> FastAPI:
    database_url = url or os.environ[DATABASE_URL_ENV]
    engine = create_async_engine(database_url, pool_size=5, max_overflow=10)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    Session = Annotated[AsyncSession, Depends(get_session)]
    app = FastAPI(lifespan=lifespan)

    @app.get("/products/{product_id}", response_model=ProductOut)
    async def get_product(product_id: uuid.UUID, session: Session, response: Response) -> Any:
        product = await session.get(Product, product_id)
        if product is None or product.deleted_at is not None:
            raise HTTPException(404, "no such product")
        response.headers["ETag"] = f'"{product.version}"'
        return ProductOut.of(product)

    @app.get("/products", response_model=ProductPageOut)
    async def list_products(
        session: Session,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Any:
        visible = Product.deleted_at.is_(None)
        total = await session.scalar(select(func.count()).select_from(Product).where(visible))
        page = await session.scalars(
            select(Product).where(visible).order_by(Product.code).limit(limit).offset(offset)
        )
        items = [ProductOut.of(product) for product in page]
        return ProductPageOut(items=items, total=total or 0, limit=limit, offset=offset)

    @app.post("/products", status_code=201, response_model=ProductOut)
    async def create_product(
        body: ProductIn, session: Session, request: Request, response: Response
    ) -> Any:
        product = Product(
            code=body.code,
            name=body.name,
            description=body.description,
            price_amount=body.price.amount,
            price_currency=body.price.currency,
        )
        session.add(product)
        try:
            await session.commit()
        except IntegrityError as error:
            raise HTTPException(409, "duplicate code") from error
        response.headers["ETag"] = f'"{product.version}"'
        response.headers["Location"] = str(request.url_for("get_product", product_id=product.id))
        return ProductOut.of(product)

    @app.patch("/products/{product_id}", response_model=ProductOut)
    async def update_product(
        product_id: uuid.UUID,
        body: ProductPatch,
        session: Session,
        response: Response,
        if_match: Annotated[str | None, Header()] = None,
    ) -> Any:
        product = await session.get(Product, product_id)
        if product is None or product.deleted_at is not None:
            raise HTTPException(404, "no such product")
        if if_match is not None and if_match != f'"{product.version}"':
            raise HTTPException(412, "stale version")
        if body.name is not None:
            product.name = body.name
        if body.description is not None:
            product.description = body.description
        if body.price is not None:
            product.price_amount = body.price.amount
            product.price_currency = body.price.currency
        try:
            await session.commit()
        except StaleDataError as error:
            raise HTTPException(412, "stale version") from error
        response.headers["ETag"] = f'"{product.version}"'
        return ProductOut.of(product)

    return app
