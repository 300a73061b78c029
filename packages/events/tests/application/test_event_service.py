"""Use cases against the in-memory unit of work: rules, versions, atomicity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from events.application import (
    MAX_OFFSET,
    CreateEvent,
    EventChanges,
    EventService,
    ListEvents,
)
from events.application.fakes import FakeEventsUnitOfWork
from events.domain import (
    AlreadyRegistered,
    AttendeeRegistered,
    Event,
    EventCancelled,
    EventCapacityChanged,
    EventCreated,
    EventDetailsUpdated,
    EventFull,
    EventPublished,
    EventRescheduled,
    EventStatus,
    InvalidEventState,
    Registration,
    RegistrationCancelled,
    RegistrationClosed,
    RegistrationStatus,
)
from shared_infrastructure.domain import (
    ConcurrencyConflict,
    Conflict,
    DomainEvent,
    DomainRuleViolation,
    InvalidQuery,
    NotFound,
    VersionMismatch,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=4)


def jazz(**overrides: Any) -> CreateEvent:
    fields: dict[str, Any] = {
        "id": "ev_001",
        "title": "Jazz Festival 2025",
        "description": "Annual jazz festival",
        "venue": "Parc de la Villette",
        "starts_at": START,
        "ends_at": END,
        "capacity": 50,
    }
    fields.update(overrides)
    return CreateEvent(**fields)


async def published(service: EventService, **overrides: Any) -> str:
    created = await service.create_event(jazz(**overrides))
    await service.publish(created.id)
    return created.id


class TestCreateAndRead:
    async def test_create_stores_a_draft_at_version_1(
        self,
        service: EventService,
        storage: dict[Any, Event],
        uows: list[FakeEventsUnitOfWork],
        published_events: list[DomainEvent],
    ) -> None:
        created = await service.create_event(jazz())

        assert created.id == "ev_001"
        assert created.status is EventStatus.DRAFT
        assert created.version == 1
        assert created.seats_available == 50
        assert "ev_001" in storage
        assert uows[-1].commits == 1
        assert [type(e) for e in published_events] == [EventCreated]

    async def test_get_returns_what_was_created(self, service: EventService) -> None:
        created = await service.create_event(jazz())

        assert await service.get_event("ev_001") == created

    async def test_get_missing_event_is_not_found(self, service: EventService) -> None:
        with pytest.raises(NotFound):
            await service.get_event("ev_nope")

    async def test_duplicate_id_is_a_conflict_and_keeps_the_first(
        self, service: EventService, storage: dict[Any, Event]
    ) -> None:
        await service.create_event(jazz())

        with pytest.raises(Conflict, match="already exists"):
            await service.create_event(jazz(title="Other"))

        assert storage["ev_001"].title == "Jazz Festival 2025"

    @pytest.mark.parametrize(
        "overrides",
        [
            {"capacity": 0},
            {"ends_at": START},
            {"starts_at": START.replace(tzinfo=None)},
            {"starts_at": NOW - timedelta(days=1)},
            {"title": ""},
        ],
    )
    async def test_invalid_input_writes_nothing(
        self,
        service: EventService,
        storage: dict[Any, Event],
        uows: list[FakeEventsUnitOfWork],
        overrides: dict[str, Any],
    ) -> None:
        with pytest.raises(DomainRuleViolation):
            await service.create_event(jazz(**overrides))

        assert storage == {}
        assert uows[-1].commits == 0


class TestWrites:
    async def test_update_event_applies_details_capacity_and_schedule_together(
        self, service: EventService
    ) -> None:
        await service.create_event(jazz())

        updated = await service.update_event(
            "ev_001",
            EventChanges(title="Jazz Night", capacity=80, starts_at=START + timedelta(hours=1)),
            expected_version=1,
        )

        assert (updated.title, updated.capacity) == ("Jazz Night", 80)
        assert updated.starts_at == START + timedelta(hours=1)
        assert updated.ends_at == END
        assert updated.version == 2

    async def test_a_failing_part_of_an_update_leaves_everything_unchanged(
        self, service: EventService
    ) -> None:
        await service.create_event(jazz())

        with pytest.raises(DomainRuleViolation):
            await service.update_event(
                "ev_001", EventChanges(title="Jazz Night", ends_at=START - timedelta(hours=1))
            )

        current = await service.get_event("ev_001")
        assert current.title == "Jazz Festival 2025"
        assert current.version == 1

    async def test_an_empty_update_is_refused(self, service: EventService) -> None:
        await service.create_event(jazz())

        with pytest.raises(DomainRuleViolation):
            await service.update_event("ev_001", EventChanges())

    async def test_stale_expected_version_is_refused_and_writes_nothing(
        self, service: EventService
    ) -> None:
        await service.create_event(jazz())
        await service.update_details("ev_001", title="v2", expected_version=1)

        with pytest.raises(VersionMismatch):
            await service.update_details("ev_001", title="v3", expected_version=1)
        with pytest.raises(VersionMismatch):
            await service.publish("ev_001", expected_version=1)
        with pytest.raises(VersionMismatch):
            await service.cancel("ev_001", expected_version=1)

        current = await service.get_event("ev_001")
        assert (current.title, current.status, current.version) == ("v2", EventStatus.DRAFT, 2)

    async def test_reschedule(self, service: EventService) -> None:
        await service.create_event(jazz())

        moved = await service.reschedule(
            "ev_001", START + timedelta(days=1), END + timedelta(days=1), expected_version=1
        )

        assert moved.starts_at == START + timedelta(days=1)
        assert moved.version == 2

    async def test_publish_then_cancel(self, service: EventService) -> None:
        await service.create_event(jazz())

        assert (await service.publish("ev_001", expected_version=1)).status is EventStatus.PUBLISHED
        cancelled = await service.cancel("ev_001", expected_version=2)

        assert cancelled.status is EventStatus.CANCELLED
        assert cancelled.version == 3

    async def test_writes_on_a_missing_event_are_not_found(self, service: EventService) -> None:
        for call in (
            service.publish("ev_x"),
            service.cancel("ev_x"),
            service.update_details("ev_x", title="t"),
            service.register_attendee("ev_x", "a@example.org"),
            service.cancel_registration("ev_x", "reg_x"),
        ):
            with pytest.raises(NotFound):
                await call


class TestIdsNoEventCanHave:
    """Such ids are not found without reaching the store: PostgreSQL cannot
    even bind a NUL, so asking it would fail instead of answering 404."""

    @pytest.mark.parametrize("event_id", ["a\x00b", "Bad Id", "", "x" * 65])
    async def test_reads_and_writes_are_not_found(
        self, service: EventService, event_id: str
    ) -> None:
        await service.create_event(jazz())

        for call in (
            service.get_event(event_id),
            service.update_details(event_id, title="t"),
            service.publish(event_id),
            service.cancel(event_id),
            service.register_attendee(event_id, "a@example.org"),
            service.cancel_registration(event_id, "reg_x"),
        ):
            with pytest.raises(NotFound):
                await call


class TestPublishing:
    """Domain events reach the publisher after each successful commit, and
    only then, like the catalog's."""

    async def test_every_write_publishes_what_it_committed(
        self, service: EventService, published_events: list[DomainEvent]
    ) -> None:
        await service.create_event(jazz())
        await service.update_event("ev_001", EventChanges(title="Jazz Night", capacity=80))
        await service.reschedule("ev_001", START + timedelta(days=1), END + timedelta(days=1))
        await service.publish("ev_001")
        registration = await service.register_attendee("ev_001", "a@example.org")
        await service.cancel_registration("ev_001", registration.id)
        await service.cancel("ev_001")

        assert [type(e) for e in published_events] == [
            EventCreated,
            EventDetailsUpdated,
            EventCapacityChanged,
            EventRescheduled,
            EventPublished,
            AttendeeRegistered,
            RegistrationCancelled,
            EventCancelled,
        ]
        assert {e.to_dict()["aggregate_id"] for e in published_events} == {"ev_001"}

    async def test_refused_writes_publish_nothing(
        self, service: EventService, published_events: list[DomainEvent]
    ) -> None:
        await published(service, capacity=1)
        await service.register_attendee("ev_001", "a@example.org")
        before = list(published_events)

        with pytest.raises(EventFull):
            await service.register_attendee("ev_001", "b@example.org")
        with pytest.raises(VersionMismatch):
            await service.cancel("ev_001", expected_version=1)
        with pytest.raises(DomainRuleViolation):
            await service.create_event(jazz(id="ev_002", title=""))

        assert published_events == before

    async def test_a_failed_commit_publishes_nothing(
        self,
        uow_factory: Callable[[], FakeEventsUnitOfWork],
        clock: Any,
        storage: dict[Any, Event],
    ) -> None:
        publications: list[DomainEvent] = []

        async def publish(events: Sequence[DomainEvent]) -> None:
            publications.extend(events)

        def failing() -> FakeEventsUnitOfWork:
            uow = uow_factory()
            uow.fail_next_commit = RuntimeError("database went away")
            return uow

        service = EventService(failing, clock, publish=publish)
        with pytest.raises(RuntimeError):
            await service.create_event(jazz())

        assert storage == {}
        assert publications == []

    async def test_a_retried_registration_publishes_once(
        self,
        uow_factory: Callable[[], FakeEventsUnitOfWork],
        clock: Any,
    ) -> None:
        publications: list[DomainEvent] = []

        async def publish(events: Sequence[DomainEvent]) -> None:
            publications.extend(events)

        async def no_sleep(_: float) -> None:
            return None

        service = EventService(uow_factory, clock, sleep=no_sleep, publish=publish)
        await published(service)
        publications.clear()
        conflicts = {"left": 2}

        def racing() -> FakeEventsUnitOfWork:
            uow = uow_factory()
            if conflicts["left"]:
                conflicts["left"] -= 1
                uow.fail_next_commit = ConcurrencyConflict("Event", "ev_001")
            return uow

        racing_service = EventService(racing, clock, sleep=no_sleep, publish=publish)
        await racing_service.register_attendee("ev_001", "a@example.org")

        assert [type(e) for e in publications] == [AttendeeRegistered]

    async def test_without_a_publisher_writes_still_work(
        self, uow_factory: Callable[[], FakeEventsUnitOfWork], clock: Any
    ) -> None:
        service = EventService(uow_factory, clock)

        created = await service.create_event(jazz())

        assert (await service.get_event(created.id)).version == 1


class TestRegistration:
    async def test_register_and_read_back(
        self, service: EventService, published_events: list[DomainEvent]
    ) -> None:
        await published(service, capacity=3)
        published_events.clear()

        registration = await service.register_attendee("ev_001", "Ann@Example.org", 2)

        assert registration.attendee_email == "ann@example.org"
        assert registration.status is RegistrationStatus.CONFIRMED
        assert registration.event_version == 3
        assert [type(e) for e in published_events] == [AttendeeRegistered]
        event = await service.get_event("ev_001")
        assert (event.seats_taken, event.seats_available, event.registration_count) == (2, 1, 1)
        page = await service.list_registrations("ev_001")
        assert [r.id for r in page.items] == [registration.id]
        assert page.items[0].event_version is None

    async def test_refusals_write_nothing(
        self,
        service: EventService,
        storage: dict[Any, Event],
        registration_storage: dict[Any, Registration],
    ) -> None:
        await service.create_event(jazz(id="ev_draft"))
        await published(service, id="ev_small", capacity=1)
        await published(service, id="ev_gone")
        await service.cancel("ev_gone")
        await service.register_attendee("ev_small", "a@example.org")

        cases: list[tuple[str, str, int, type[Exception]]] = [
            ("ev_draft", "a@example.org", 1, RegistrationClosed),
            ("ev_gone", "a@example.org", 1, RegistrationClosed),
            ("ev_small", "a@example.org", 1, AlreadyRegistered),
            ("ev_small", "b@example.org", 1, EventFull),
            ("ev_small", "not-an-email", 1, DomainRuleViolation),
            ("ev_small", "b@example.org", 0, DomainRuleViolation),
        ]
        versions = {key: event.version for key, event in storage.items()}
        for event_id, email, seats, error in cases:
            with pytest.raises(error):
                await service.register_attendee(event_id, email, seats)

        assert {key: event.version for key, event in storage.items()} == versions
        assert [r.event_id for r in registration_storage.values()] == ["ev_small"]

    async def test_registration_closes_when_the_event_starts(
        self, service: EventService, clock: Any
    ) -> None:
        await published(service)
        clock.now = START

        with pytest.raises(RegistrationClosed):
            await service.register_attendee("ev_001", "a@example.org")

    async def test_a_lost_race_is_retried_from_a_fresh_load(
        self,
        service: EventService,
        storage: dict[Any, Event],
        uows: list[FakeEventsUnitOfWork],
    ) -> None:
        await published(service, capacity=2)
        uows_before_race = len(uows)
        # Someone else takes a seat between our load and our commit, twice.
        original_register = Event.register
        races = {"left": 2}

        def racing_register(self: Event, *args: Any, **kwargs: Any) -> Any:
            result = original_register(self, *args, **kwargs)
            if races["left"]:
                races["left"] -= 1
                storage["ev_001"].version += 1  # a concurrent commit
            return result

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Event, "register", racing_register)
            registration = await service.register_attendee("ev_001", "a@example.org")

        assert len(uows) - uows_before_race == 3
        assert [u.commits for u in uows[uows_before_race:]] == [0, 0, 1]
        event = await service.get_event("ev_001")
        assert event.seats_taken == 1
        page = await service.list_registrations("ev_001")
        assert [r.id for r in page.items] == [registration.id]

    async def test_retries_are_bounded_then_the_conflict_surfaces(
        self,
        uow_factory: Callable[[], FakeEventsUnitOfWork],
        clock: Any,
        storage: dict[Any, Event],
        registration_storage: dict[Any, Registration],
    ) -> None:
        delays: list[float] = []

        async def record_sleep(delay: float) -> None:
            delays.append(delay)

        service = EventService(uow_factory, clock, registration_attempts=3, sleep=record_sleep)
        await published(service)

        def always_conflicting() -> FakeEventsUnitOfWork:
            uow = uow_factory()
            uow.fail_next_commit = ConcurrencyConflict("Event", "ev_001")
            return uow

        racing = EventService(
            always_conflicting, clock, registration_attempts=3, sleep=record_sleep
        )
        with pytest.raises(ConcurrencyConflict):
            await racing.register_attendee("ev_001", "a@example.org")

        assert len(delays) == 2
        assert registration_storage == {}
        assert storage["ev_001"].seats_taken == 0

    async def test_domain_refusals_are_not_retried(
        self, service: EventService, uows: list[FakeEventsUnitOfWork]
    ) -> None:
        await published(service, capacity=1)
        await service.register_attendee("ev_001", "a@example.org")
        opened = len(uows)

        with pytest.raises(EventFull):
            await service.register_attendee("ev_001", "b@example.org")

        assert len(uows) == opened + 1

    async def test_cancel_registration_frees_the_seat(self, service: EventService) -> None:
        await published(service, capacity=1)
        registration = await service.register_attendee("ev_001", "a@example.org")

        await service.cancel_registration("ev_001", registration.id)

        event = await service.get_event("ev_001")
        assert (event.seats_taken, event.registration_count) == (0, 0)
        assert (await service.list_registrations("ev_001")).items == []
        await service.register_attendee("ev_001", "b@example.org")

    async def test_cancel_unknown_registration_is_not_found(self, service: EventService) -> None:
        await published(service)

        with pytest.raises(NotFound):
            await service.cancel_registration("ev_001", "reg_missing")

    async def test_cancelling_the_event_cancels_its_registrations(
        self, service: EventService
    ) -> None:
        await published(service)
        await service.register_attendee("ev_001", "a@example.org")
        await service.register_attendee("ev_001", "b@example.org", 3)

        cancelled = await service.cancel("ev_001")

        assert (cancelled.seats_taken, cancelled.registration_count) == (0, 0)
        registrations = (await service.list_registrations("ev_001")).items
        assert {r.status for r in registrations} == {RegistrationStatus.CANCELLED}
        assert all(r.cancelled_at == NOW for r in registrations)
        assert len(registrations) == 2
        with pytest.raises(InvalidEventState):
            await service.cancel_registration("ev_001", registrations[0].id)


class TestList:
    @pytest.fixture
    async def catalogue(self, service: EventService) -> None:
        for day, (event_id, publish) in enumerate(
            [("ev_a", True), ("ev_b", False), ("ev_c", True), ("ev_d", True)]
        ):
            await service.create_event(
                jazz(
                    id=event_id,
                    title=f"Event {event_id}",
                    starts_at=START + timedelta(days=day),
                    ends_at=END + timedelta(days=day),
                )
            )
            if publish:
                await service.publish(event_id)
        await service.cancel("ev_d")

    @pytest.mark.usefixtures("catalogue")
    async def test_by_status(self, service: EventService) -> None:
        page = await service.list_events(ListEvents(status=EventStatus.PUBLISHED))

        assert [e.id for e in page.items] == ["ev_a", "ev_c"]
        assert page.total == 2

    @pytest.mark.usefixtures("catalogue")
    async def test_upcoming_follows_the_clock(self, service: EventService, clock: Any) -> None:
        clock.now = START + timedelta(days=1, minutes=1)

        page = await service.list_events(ListEvents(upcoming=True))

        assert [e.id for e in page.items] == ["ev_c", "ev_d"]

    @pytest.mark.usefixtures("catalogue")
    async def test_date_range_is_half_open(self, service: EventService) -> None:
        page = await service.list_events(
            ListEvents(
                starts_from=START + timedelta(days=1), starts_before=START + timedelta(days=3)
            )
        )

        assert [e.id for e in page.items] == ["ev_b", "ev_c"]

    @pytest.mark.usefixtures("catalogue")
    async def test_paginated_by_offset_and_by_cursor(self, service: EventService) -> None:
        first = await service.list_events(ListEvents(limit=3, order_by="-starts_at"))
        second = await service.list_events(ListEvents(limit=3, order_by="-starts_at", offset=3))
        by_cursor = await service.list_events(
            ListEvents(limit=3, order_by="-starts_at", after=first.next_cursor)
        )

        assert [e.id for e in first.items] == ["ev_d", "ev_c", "ev_b"]
        assert first.total == 4
        assert [e.id for e in second.items] == ["ev_a"]
        assert [e.id for e in by_cursor.items] == ["ev_a"]

    @pytest.mark.parametrize(
        "query",
        [
            ListEvents(limit=0),
            ListEvents(limit=101),
            ListEvents(order_by="password"),
            ListEvents(starts_from=START.replace(tzinfo=None)),
            ListEvents(starts_from=END, starts_before=START),
            ListEvents(after="not a cursor"),
        ],
    )
    async def test_bad_queries_are_refused(self, service: EventService, query: ListEvents) -> None:
        with pytest.raises(InvalidQuery):
            await service.list_events(query)

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            (ListEvents(offset=MAX_OFFSET + 1), "offset"),
            (ListEvents(offset=10**20), "offset"),
            (ListEvents(after="garbage"), "after"),
            (
                ListEvents(
                    starts_before=datetime(
                        9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=5))
                    )
                ),
                "starts_before",
            ),
            (
                ListEvents(starts_from=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))),
                "starts_from",
            ),
        ],
    )
    async def test_a_bad_query_names_its_field(
        self, service: EventService, query: ListEvents, field: str
    ) -> None:
        with pytest.raises(InvalidQuery) as error:
            await service.list_events(query)

        assert error.value.field == field


class TestWriteIntent:
    """Writes say so when they open their unit of work (SQLite then queues
    concurrent writers instead of failing them); reads do not, so they
    never wait for a writer."""

    async def test_every_write_opens_its_unit_of_work_for_writing(
        self, service: EventService, uows: list[FakeEventsUnitOfWork]
    ) -> None:
        await published(service)
        registration = await service.register_attendee("ev_001", "a@example.org")
        await service.cancel_registration("ev_001", registration.id)
        await service.update_details("ev_001", title="Renamed")
        await service.cancel("ev_001")

        assert [uow.entered_for_writing for uow in uows] == [1] * 6

    async def test_reads_do_not(
        self, service: EventService, uows: list[FakeEventsUnitOfWork]
    ) -> None:
        await service.create_event(jazz())
        opened = len(uows)

        await service.get_event("ev_001")
        await service.list_events()

        assert [uow.entered_for_writing for uow in uows[opened:]] == [0, 0]
