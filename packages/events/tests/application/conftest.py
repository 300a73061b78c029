from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from events.application import EventService
from events.application.fakes import FakeEventsUnitOfWork
from events.domain import Event, Registration, TicketProduct
from shared_infrastructure.domain import DomainEvent

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class MutableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def storage() -> dict[Any, Event]:
    return {}


@pytest.fixture
def registration_storage() -> dict[Any, Registration]:
    return {}


@pytest.fixture
def ticket_storage() -> dict[Any, TicketProduct]:
    return {}


@pytest.fixture
def uows(storage: dict[Any, Event]) -> list[FakeEventsUnitOfWork]:
    """Every unit of work the service opened, in order."""
    return []


@pytest.fixture
def uow_factory(
    storage: dict[Any, Event],
    registration_storage: dict[Any, Registration],
    ticket_storage: dict[Any, TicketProduct],
    uows: list[FakeEventsUnitOfWork],
) -> Callable[[], FakeEventsUnitOfWork]:
    def factory() -> FakeEventsUnitOfWork:
        uow = FakeEventsUnitOfWork(storage, registration_storage, ticket_storage)
        uows.append(uow)
        return uow

    return factory


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(NOW)


@pytest.fixture
def published_events() -> list[DomainEvent]:
    """Every domain event the service handed to its publisher, in order."""
    return []


@pytest.fixture
def service(
    uow_factory: Callable[[], FakeEventsUnitOfWork],
    clock: MutableClock,
    published_events: list[DomainEvent],
) -> EventService:
    async def no_sleep(_: float) -> None:
        return None

    async def publish(events: Sequence[DomainEvent]) -> None:
        published_events.extend(events)

    return EventService(uow_factory, clock, sleep=no_sleep, publish=publish)
