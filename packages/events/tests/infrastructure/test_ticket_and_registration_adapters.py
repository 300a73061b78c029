"""The registration and ticket-product adapters on a real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.application import CreateEvent, EventService, ListRegistrations
from events.domain import TicketPrice, TicketProduct
from events.infrastructure import SqlAlchemyEventsUnitOfWork, TicketProductRecord
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.domain import ConcurrencyConflict, InvalidQuery

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)


class TestTicketProducts:
    async def test_a_copy_round_trips_exactly(self, database: AsyncDatabase) -> None:
        copy = TicketProduct.first_heard(
            "PASS001", price=TicketPrice("1200", "JPY"), on_sale=True, as_of=NOW
        )
        async with SqlAlchemyEventsUnitOfWork(database).writing() as uow:
            await uow.ticket_products.add(copy)
            await uow.commit()

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            loaded = await uow.ticket_products.get_or_raise("PASS001")

        assert (loaded.price, loaded.on_sale, loaded.as_of) == (
            TicketPrice("1200", "JPY"),
            True,
            NOW,
        )
        assert loaded.version == 1

    async def test_a_copy_without_a_price_reads_back_without_one(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        async with SqlAlchemyEventsUnitOfWork(database).writing() as uow:
            await uow.ticket_products.add(
                TicketProduct.first_heard("PASS002", price=None, on_sale=False, as_of=NOW)
            )
            await uow.commit()

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            loaded = await uow.ticket_products.get_or_raise("PASS002")
        row = await async_session.scalar(select(TicketProductRecord))

        assert loaded.price is None
        assert row is not None
        assert (row.price_amount, row.price_currency) == (None, None)

    async def test_two_first_copies_of_one_product_cannot_both_commit(
        self, database: AsyncDatabase
    ) -> None:
        async with SqlAlchemyEventsUnitOfWork(database).writing() as uow:
            await uow.ticket_products.add(
                TicketProduct.first_heard("PASS003", price=None, on_sale=False, as_of=NOW)
            )
            await uow.commit()

        async with SqlAlchemyEventsUnitOfWork(database).writing() as uow:
            await uow.ticket_products.add(
                TicketProduct.first_heard("PASS003", price=None, on_sale=True, as_of=NOW)
            )
            with pytest.raises(IntegrityConflict):
                await uow.commit()

    async def test_a_stale_copy_is_a_concurrency_conflict(self, database: AsyncDatabase) -> None:
        async with SqlAlchemyEventsUnitOfWork(database).writing() as uow:
            await uow.ticket_products.add(
                TicketProduct.first_heard("PASS004", price=None, on_sale=False, as_of=NOW)
            )
            await uow.commit()
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            stale = await uow.ticket_products.get_or_raise("PASS004")
            async with SqlAlchemyEventsUnitOfWork(database).writing() as other:
                fresh = await other.ticket_products.get_or_raise("PASS004")
                fresh.update(price=None, on_sale=True, as_of=NOW + timedelta(seconds=1))
                await other.commit()
            stale.update(price=None, on_sale=False, as_of=NOW + timedelta(seconds=2))
            with pytest.raises(ConcurrencyConflict):
                await uow.commit()


class TestRegistrationPages:
    @pytest.fixture
    async def service(
        self,
        database: AsyncDatabase,
        make_service: Callable[[AsyncDatabase], EventService],
    ) -> EventService:
        service = make_service(database)
        for event_id in ("ev_001", "ev_002"):
            await service.create_event(
                CreateEvent(
                    id=event_id,
                    title="Jazz",
                    starts_at=START,
                    ends_at=START + timedelta(hours=2),
                    capacity=20,
                )
            )
            await service.publish(event_id)
        return service

    async def test_keyset_pages_cover_every_registration_once(self, service: EventService) -> None:
        emails = [f"fan{n:02d}@example.org" for n in range(7)]
        for email in emails:
            await service.register_attendee("ev_001", email)
        await service.register_attendee("ev_002", "fan00@example.org")

        seen: list[str] = []
        cursor = None
        while True:
            page = await service.list_registrations(
                "ev_001", ListRegistrations(limit=3, cursor=cursor)
            )
            seen.extend(r.attendee_email for r in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor

        # Same clock for all: the id breaks the tie, so nothing repeats or goes missing.
        assert sorted(seen) == emails
        assert len(seen) == len(set(seen))

    async def test_a_tampered_cursor_is_refused(self, service: EventService) -> None:
        for n in range(3):
            await service.register_attendee("ev_001", f"fan{n}@example.org")
        page = await service.list_registrations("ev_001", ListRegistrations(limit=1))

        with pytest.raises(InvalidQuery):
            await service.list_registrations(
                "ev_001",
                ListRegistrations(cursor=page.next_cursor + "x"),  # type: ignore[operator]
            )
