from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from events.api import create_router
from events.application import EventService
from events.infrastructure import SqlAlchemyEventsUnitOfWork
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.testing.plugin import AsgiClientFactory
from shared_infrastructure.web.errors import install_exception_handlers
from shared_infrastructure.web.middleware import DatabaseSessionMiddleware


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


AppFactory = Callable[..., FastAPI]


def build_app(
    database: AsyncDatabase, clock: Callable[[], datetime], *, middleware: bool = False
) -> FastAPI:
    """What the composition root does, minus settings and lifespan.

    With ``middleware`` every request gets a session scope (as in the api
    service) and the units of work join it; without, each unit of work
    opens its own session.
    """

    def event_service() -> EventService:
        return EventService(lambda: SqlAlchemyEventsUnitOfWork(database), clock)

    app = FastAPI()
    install_exception_handlers(app)
    app.include_router(create_router(event_service))
    if middleware:
        app.add_middleware(DatabaseSessionMiddleware, database=database)
    return app


@pytest.fixture
def app_factory() -> AppFactory:
    return build_app


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def client(
    database: AsyncDatabase, clock: MovableClock, asgi_client: AsgiClientFactory
) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(build_app(database, clock)) as http:
        yield http


async def all_registrations(client: httpx.AsyncClient, event_id: str) -> list[dict[str, Any]]:
    """Every registration of the event, following ``next_cursor`` page by page."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        response = await client.get(f"/events/{event_id}/registrations", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]
