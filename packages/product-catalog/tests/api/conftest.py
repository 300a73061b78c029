"""An app wired like the composition root: middleware, shared error
handlers, the catalog router with the SQL unit of work, on the test database."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from product_catalog.api import create_router
from product_catalog.application import ProductService
from product_catalog.infrastructure import SqlAlchemyProductCatalogUnitOfWork
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.web import (
    DatabaseSessionMiddleware,
    RequestDatabase,
    install_exception_handlers,
)


def product_service(database: RequestDatabase) -> ProductService:
    return ProductService(lambda: SqlAlchemyProductCatalogUnitOfWork(database))


@pytest.fixture
def app(database: AsyncDatabase) -> FastAPI:
    application = FastAPI()
    application.add_middleware(DatabaseSessionMiddleware, database=database)
    install_exception_handlers(application)
    application.include_router(create_router(product_service))
    return application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
