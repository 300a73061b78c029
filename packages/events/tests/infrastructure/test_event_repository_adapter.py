"""The SQLAlchemy adapters against a real database (one transaction per test)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from events.application import CreateEvent, EventService
from events.domain import (
    AttendeeRegistered,
    Event,
    EventCreated,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from events.infrastructure import EventRecord, RegistrationRecord, SqlAlchemyEventsUnitOfWork
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.domain import (
    ConcurrencyConflict,
    Filter,
    InvalidQuery,
    Op,
    Ordering,
    QuerySpec,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=4)


def new_event(event_id: str = "ev_001", **overrides: object) -> Event:
    fields: dict[str, object] = {
        "id": event_id,
        "title": "Jazz Festival 2025",
        "description": "Annual jazz festival",
        "venue": "Parc de la Villette",
        "starts_at": START,
        "ends_at": END,
        "capacity": 3,
        "now": NOW,
    }
    fields.update(overrides)
    return Event.create(**fields)  # type: ignore[arg-type]


async def store(
    database: AsyncDatabase,
    *events: Event,
    publish: bool = True,
    registrations: Sequence[Registration] = (),
) -> None:
    async with SqlAlchemyEventsUnitOfWork(database) as uow:
        for event in events:
            if publish:
                event.publish(now=NOW)
            await uow.events.add(event)
        for registration in registrations:
            await uow.registrations.add(registration)
        await uow.commit()


async def count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class TestRoundTrip:
    async def test_what_is_stored_comes_back_equal_and_aware(self, database: AsyncDatabase) -> None:
        paris = timezone(timedelta(hours=2))
        event = new_event(starts_at=START.astimezone(paris), ends_at=END.astimezone(paris))
        event.publish(now=NOW)
        registration = event.register("ann@example.org", 2, now=NOW + timedelta(microseconds=7))
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            await uow.events.add(event)
            await uow.registrations.add(registration)
            await uow.commit()
            events = uow.collect_events()

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            loaded = await uow.events.get_or_raise("ev_001")
            stored = await uow.registrations.get_or_raise(registration.id)

        assert [type(e) for e in events] == [EventCreated, type(events[1]), AttendeeRegistered]
        assert loaded.version == 1
        assert (loaded.title, loaded.description, loaded.venue) == (
            "Jazz Festival 2025",
            "Annual jazz festival",
            "Parc de la Villette",
        )
        assert loaded.starts_at == START
        assert loaded.starts_at.tzinfo is not None
        assert loaded.status is EventStatus.PUBLISHED
        assert stored.event_id == "ev_001"
        assert stored.registered_at == NOW + timedelta(microseconds=7)
        assert (stored.attendee_email, stored.seats) == ("ann@example.org", 2)
        assert stored.status is RegistrationStatus.CONFIRMED
        assert (loaded.seats_taken, loaded.registration_count) == (2, 1)

    async def test_get_missing_returns_none(self, database: AsyncDatabase) -> None:
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            assert await uow.events.get("ev_missing") is None
            assert await uow.events.get_for_update("ev_missing") is None

    async def test_leaving_without_commit_writes_nothing(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            await uow.events.add(new_event())

        assert await count(async_session, EventRecord) == 0


class TestVersions:
    async def test_every_change_bumps_the_version_also_child_only_changes(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        await store(database, new_event())

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            event = await uow.events.get_for_update_or_raise("ev_001")
            event.register("a@example.org", now=NOW)
            await uow.commit()
            assert event.version == 2

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            event = await uow.events.get_or_raise("ev_001")
            await uow.commit()  # nothing changed: no write, no bump
            assert event.version == 2

        row = (
            await async_session.execute(select(EventRecord.version, EventRecord.seats_taken))
        ).one()
        assert tuple(row) == (2, 1)

    async def test_a_stale_writer_gets_a_concurrency_conflict_and_writes_nothing(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        await store(database, new_event())

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            mine = await uow.events.get_or_raise("ev_001")
            # Another writer commits in between (the row's version moves on).
            await uow.session.execute(
                update(EventRecord)
                .values(version=EventRecord.version + 1)
                .execution_options(synchronize_session=False)
            )
            mine.register("me@example.org", now=NOW)
            with pytest.raises(ConcurrencyConflict) as error:
                await uow.commit()

        assert error.value.entity == "Event"
        assert await count(async_session, RegistrationRecord) == 0

    async def test_locking_read_sees_the_latest_commit(self, database: AsyncDatabase) -> None:
        await store(database, new_event())
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            (await uow.events.get_or_raise("ev_001")).register("a@example.org", now=NOW)
            await uow.commit()

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            event = await uow.events.get_for_update_or_raise("ev_001")

        assert (event.version, event.seats_taken) == (2, 1)


class TestRegistrationsRows:
    async def test_cancelling_a_registration_deletes_its_row(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        event = new_event()
        event.publish(now=NOW)
        kept = event.register("a@example.org", now=NOW)
        gone = event.register("b@example.org", now=NOW)
        await store(database, event, publish=False, registrations=[kept, gone])

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            loaded = await uow.events.get_or_raise("ev_001")
            registration = await uow.registrations.get_or_raise(gone.id)
            loaded.cancel_registration(registration, now=NOW)
            await uow.registrations.remove(registration)
            await uow.commit()

        ids = (await async_session.scalars(select(RegistrationRecord.id))).all()
        assert ids == [kept.id]
        assert await async_session.scalar(select(EventRecord.seats_taken)) == 1

    async def test_cancelling_the_event_keeps_registrations_marked_cancelled(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        event = new_event()
        event.publish(now=NOW)
        registration = event.register("a@example.org", now=NOW)
        other = new_event("ev_other")
        other.publish(now=NOW)
        untouched = other.register("a@example.org", now=NOW)
        await store(database, event, other, publish=False, registrations=[registration, untouched])

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            (await uow.events.get_or_raise("ev_001")).cancel(now=NOW)
            assert await uow.registrations.cancel_confirmed("ev_001", NOW) == 1
            await uow.commit()

        rows = (
            await async_session.execute(
                select(RegistrationRecord.event_id, RegistrationRecord.status).order_by(
                    RegistrationRecord.event_id
                )
            )
        ).all()
        assert [tuple(row) for row in rows] == [
            ("ev_001", RegistrationStatus.CANCELLED.value),
            ("ev_other", RegistrationStatus.CONFIRMED.value),
        ]
        seats = select(EventRecord.id, EventRecord.seats_taken).order_by(EventRecord.id)
        assert [tuple(row) for row in (await async_session.execute(seats)).all()] == [
            ("ev_001", 0),
            ("ev_other", 1),
        ]

    async def test_removing_the_event_removes_its_registrations(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        event = new_event()
        event.publish(now=NOW)
        registration = event.register("a@example.org", now=NOW)
        await store(database, event, publish=False, registrations=[registration])

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            await uow.events.remove(await uow.events.get_or_raise("ev_001"))
            await uow.commit()

        assert await count(async_session, EventRecord) == 0
        assert await count(async_session, RegistrationRecord) == 0

    async def test_the_foreign_key_cascades_on_a_plain_sql_delete(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        event = new_event()
        event.publish(now=NOW)
        registration = event.register("a@example.org", now=NOW)
        await store(database, event, publish=False, registrations=[registration])

        await async_session.execute(delete(EventRecord).where(EventRecord.id == "ev_001"))

        assert await count(async_session, RegistrationRecord) == 0


class TestConstraints:
    """The database refuses what the domain refuses, for writers that skip it."""

    async def test_one_registration_per_email_and_event(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        event = new_event()
        event.publish(now=NOW)
        registration = event.register("a@example.org", now=NOW)
        await store(database, event, publish=False, registrations=[registration])

        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            # Sneak a duplicate past the use case, as a buggy writer would.
            await uow.registrations.add(
                Registration(
                    id="reg_dup",
                    event_id="ev_001",
                    attendee_email="a@example.org",
                    seats=1,
                    registered_at=NOW,
                )
            )
            with pytest.raises(IntegrityConflict) as error:
                await uow.commit()

        assert error.value.constraint == "uq_event_registrations_event_id_attendee_email"
        assert error.value.kind == "unique"
        assert await count(async_session, RegistrationRecord) == 1

    @pytest.mark.parametrize(
        ("values", "constraint"),
        [
            ({"seats_taken": 4}, "ck_events_seats_within_capacity"),
            ({"registration_count": 1}, "ck_events_registrations_within_seats"),
            ({"capacity": 0}, "ck_events_capacity_positive"),
            ({"ends_at": START - timedelta(hours=1)}, "ck_events_ends_after_starts"),
            ({"status": "archived"}, "ck_events_status_known"),
        ],
    )
    async def test_check_constraints(
        self,
        database: AsyncDatabase,
        async_session: AsyncSession,
        values: dict[str, object],
        constraint: str,
    ) -> None:
        await store(database, new_event())

        with pytest.raises(DBAPIError) as error:
            async with async_session.begin_nested():
                await async_session.execute(update(EventRecord).values(**values))

        # Every driver names the violated constraint (the naming convention's name).
        assert constraint in str(error.value.orig)
        assert await async_session.scalar(select(EventRecord.capacity)) == 3


class TestList:
    @pytest.fixture
    async def stored(self, database: AsyncDatabase) -> None:
        await store(
            database,
            *[
                new_event(
                    f"ev_{n}",
                    title=f"Event {n}",
                    starts_at=START + timedelta(days=n),
                    ends_at=END + timedelta(days=n),
                )
                for n in range(5)
            ],
        )
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            (await uow.events.get_or_raise("ev_3")).cancel(now=NOW)
            await uow.commit()

    @pytest.mark.usefixtures("stored")
    async def test_filters_order_and_offset_pages(self, database: AsyncDatabase) -> None:
        spec = QuerySpec(
            filters=(
                Filter("status", Op.EQ, "published"),
                Filter("starts_at", Op.GE, START + timedelta(days=1)),
            ),
            order_by=(Ordering("starts_at", descending=True),),
            limit=2,
        )
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            first = await uow.events.list(spec)
            second = await uow.events.list(
                QuerySpec(spec.filters, spec.order_by, limit=2, after=first.next_cursor)
            )

        assert [e.id for e in first.items] == ["ev_4", "ev_2"]
        assert first.total == 3
        assert [e.id for e in second.items] == ["ev_1"]
        assert second.next_cursor is None

    async def test_unknown_fields_are_refused(self, database: AsyncDatabase) -> None:
        async with SqlAlchemyEventsUnitOfWork(database) as uow:
            with pytest.raises(InvalidQuery):
                await uow.events.list(QuerySpec(filters=(Filter("seats_taken", Op.GT, 1),)))


class TestServiceOnTheDatabase:
    async def test_the_whole_flow(
        self,
        database: AsyncDatabase,
        make_service: Callable[[AsyncDatabase], EventService],
        async_session: AsyncSession,
    ) -> None:
        service = make_service(database)
        created = await service.create_event(
            CreateEvent(
                id="ev_001", title="Jazz Festival 2025", starts_at=START, ends_at=END, capacity=2
            )
        )
        await service.publish("ev_001", expected_version=created.version)
        first = await service.register_attendee("ev_001", "a@example.org", 2)
        details = await service.get_event("ev_001")
        await service.cancel_registration("ev_001", first.id)

        assert details.seats_taken == 2
        assert details.version == first.event_version == 3
        assert (await service.get_event("ev_001")).seats_available == 2
        assert await count(async_session, RegistrationRecord) == 0

    async def test_raw_sql_sees_utc(
        self, database: AsyncDatabase, async_session: AsyncSession
    ) -> None:
        await store(database, new_event())

        stored = await async_session.scalar(text("SELECT starts_at FROM events"))

        # Naive on SQLite/MariaDB, aware on PostgreSQL: either way, UTC wall time.
        assert stored is not None
        if isinstance(stored, str):
            assert stored.startswith("2030-07-01 20:00:00")
        else:
            assert stored.replace(tzinfo=None) == START.replace(tzinfo=None) or stored == START
