"""The Event aggregate on its own: no database, no framework."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

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
    RegistrationCancelled,
    RegistrationClosed,
    RegistrationStatus,
)
from shared_infrastructure.domain import DomainRuleViolation, NotFound, VersionMismatch

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=4)


def new_event(**overrides: object) -> Event:
    fields: dict[str, object] = {
        "id": "ev_001",
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


def published_event(**overrides: object) -> Event:
    event = new_event(**overrides)
    event.publish(now=NOW)
    event.pull_events()
    return event


class TestCreate:
    def test_a_new_event_is_a_draft_with_its_details_and_records_creation(self) -> None:
        event = new_event()

        assert event.id == "ev_001"
        assert event.title == "Jazz Festival 2025"
        assert event.status is EventStatus.DRAFT
        assert event.seats_taken == 0
        assert event.seats_available == 3
        assert [type(e) for e in event.pull_events()] == [EventCreated]

    def test_an_id_is_generated_when_none_is_given(self) -> None:
        first, second = new_event(id=None), new_event(id=None)

        assert first.id.startswith("ev_")
        assert first.id != second.id

    def test_times_are_kept_in_utc_whatever_offset_they_came_with(self) -> None:
        paris = timezone(timedelta(hours=2))
        event = new_event(
            starts_at=datetime(2030, 7, 1, 22, 0, tzinfo=paris),
            ends_at=datetime(2030, 7, 2, 2, 0, tzinfo=paris),
        )

        assert event.starts_at == START
        assert event.starts_at.tzinfo is UTC

    def test_title_is_trimmed(self) -> None:
        assert new_event(title="  Jazz  ").title == "Jazz"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"ends_at": START}, "ends_at"),
            ({"ends_at": START - timedelta(minutes=1)}, "ends_at"),
            ({"starts_at": START.replace(tzinfo=None)}, "starts_at"),
            ({"ends_at": END.replace(tzinfo=None)}, "ends_at"),
            ({"starts_at": NOW - timedelta(days=1)}, "starts_at"),
            ({"capacity": 0}, "capacity"),
            ({"capacity": -5}, "capacity"),
            ({"capacity": True}, "capacity"),
            ({"capacity": 1_000_001}, "capacity"),
            ({"title": "   "}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"id": "Ev 001"}, "id"),
            ({"id": "_ev"}, "id"),
            ({"id": "x" * 65}, "id"),
            ({"description": "x" * 5001}, "description"),
            ({"title": "Jazz\x00Festival"}, "title"),
            ({"title": "Jazz\x1b[2J"}, "title"),
            ({"description": "a\x00b"}, "description"),
            ({"venue": "Parc\x00"}, "venue"),
            ({"venue": "Parc\nde la Villette"}, "venue"),
            ({"starts_at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))}, "starts_at"),
            (
                {
                    "ends_at": datetime(
                        9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=5))
                    )
                },
                "ends_at",
            ),
        ],
    )
    def test_bad_input_is_refused_naming_the_field(
        self, overrides: dict[str, object], field: str
    ) -> None:
        with pytest.raises(DomainRuleViolation) as error:
            new_event(**overrides)

        assert error.value.field == field

    def test_a_description_keeps_its_line_breaks_and_tabs(self) -> None:
        assert new_event(description="Line 1\r\n\tLine 2").description == "Line 1\r\n\tLine 2"

    def test_the_latest_instant_a_datetime_holds_in_utc_is_accepted(self) -> None:
        last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

        assert new_event(ends_at=last).ends_at == last

    @pytest.mark.parametrize(
        ("seats_taken", "registration_count"),
        [(2, 1), (1, 2), (-1, 0), (1, -1)],
        ids=["over-capacity", "more-registrations-than-seats", "negative-seats", "negative-count"],
    )
    def test_rebuilding_a_stored_event_refuses_counters_no_event_can_have(
        self, seats_taken: int, registration_count: int
    ) -> None:
        with pytest.raises(DomainRuleViolation):
            Event(
                id="ev_001",
                title="x",
                starts_at=START,
                ends_at=END,
                capacity=1,
                status=EventStatus.PUBLISHED,
                seats_taken=seats_taken,
                registration_count=registration_count,
            )


class TestLifecycle:
    def test_publish_a_draft(self) -> None:
        event = new_event()
        event.pull_events()

        event.publish(now=NOW)

        assert event.status is EventStatus.PUBLISHED
        assert [type(e) for e in event.pull_events()] == [EventPublished]

    def test_publishing_twice_is_a_conflict(self) -> None:
        event = published_event()

        with pytest.raises(InvalidEventState):
            event.publish(now=NOW)

    def test_an_event_that_has_started_cannot_be_published(self) -> None:
        event = new_event()

        with pytest.raises(InvalidEventState):
            event.publish(now=START)

    def test_cancelling_releases_every_seat_and_counts_the_registrations(self) -> None:
        event = published_event()
        event.register("a@example.org", now=NOW)
        event.register("b@example.org", 2, now=NOW)
        event.pull_events()

        event.cancel(now=NOW + timedelta(hours=1))

        assert event.status is EventStatus.CANCELLED
        assert (event.seats_taken, event.registration_count) == (0, 0)
        recorded = event.pull_events()
        assert [type(e) for e in recorded] == [EventCancelled]
        assert recorded[-1].cancelled_registrations == 2  # type: ignore[attr-defined]

    def test_a_registration_cancelled_with_its_event_keeps_when(self) -> None:
        event = published_event()
        registration = event.register("a@example.org", now=NOW)

        registration.mark_cancelled(NOW + timedelta(hours=1))

        assert registration.status is RegistrationStatus.CANCELLED
        assert registration.cancelled_at == NOW + timedelta(hours=1)
        assert not registration.is_confirmed

    def test_a_cancelled_event_cannot_be_cancelled_published_or_changed(self) -> None:
        event = published_event()
        event.cancel(now=NOW)

        for change in (
            lambda: event.cancel(now=NOW),
            lambda: event.publish(now=NOW),
            lambda: event.update_details(title="New"),
            lambda: event.change_capacity(10),
            lambda: event.reschedule(START + timedelta(days=1), END + timedelta(days=1), now=NOW),
        ):
            with pytest.raises(InvalidEventState):
                change()

    def test_an_event_that_is_over_cannot_be_cancelled(self) -> None:
        event = published_event()

        with pytest.raises(InvalidEventState):
            event.cancel(now=END)

    def test_a_draft_can_be_cancelled(self) -> None:
        event = new_event()

        event.cancel(now=NOW)

        assert event.status is EventStatus.CANCELLED


class TestChanges:
    def test_update_details_records_only_the_fields_that_changed(self) -> None:
        event = new_event()
        event.pull_events()

        event.update_details(title="Jazz Festival", description="Annual jazz festival")

        recorded = event.pull_events()
        assert [type(e) for e in recorded] == [EventDetailsUpdated]
        assert recorded[0].changed_fields == ("title",)  # type: ignore[attr-defined]

    def test_an_update_that_changes_nothing_records_nothing(self) -> None:
        event = new_event()
        event.pull_events()

        event.update_details(title="Jazz Festival 2025", venue=" Parc de la Villette ")

        assert event.pull_events() == []

    def test_capacity_can_grow_and_shrink_down_to_the_seats_taken(self) -> None:
        event = published_event(capacity=5)
        event.register("a@example.org", 3, now=NOW)
        event.pull_events()

        event.change_capacity(3)

        assert event.capacity == 3
        assert [type(e) for e in event.pull_events()] == [EventCapacityChanged]
        with pytest.raises(EventFull):
            event.change_capacity(2)
        with pytest.raises(DomainRuleViolation):
            event.change_capacity(0)

    def test_reschedule_moves_both_ends(self) -> None:
        event = new_event()
        event.pull_events()

        event.reschedule(START + timedelta(days=7), END + timedelta(days=7), now=NOW)

        assert event.starts_at == START + timedelta(days=7)
        recorded = event.pull_events()
        assert [type(e) for e in recorded] == [EventRescheduled]
        assert recorded[0].old_starts_at == START  # type: ignore[attr-defined]

    def test_reschedule_refuses_bad_or_past_slots_and_started_events(self) -> None:
        event = new_event()

        with pytest.raises(DomainRuleViolation):
            event.reschedule(END, START, now=NOW)
        with pytest.raises(DomainRuleViolation):
            event.reschedule(NOW - timedelta(hours=1), END, now=NOW)
        with pytest.raises(InvalidEventState):
            event.reschedule(START + timedelta(days=1), END + timedelta(days=1), now=START)
        assert event.starts_at == START

    def test_check_version_compares_with_the_callers_version(self) -> None:
        event = new_event()
        event.version = 3

        event.check_version(None)
        event.check_version(3)
        with pytest.raises(VersionMismatch):
            event.check_version(2)


class TestRegistration:
    def test_register_holds_seats_and_records_it(self) -> None:
        event = published_event(capacity=5)

        registration = event.register("  Ann@Example.org ", 2, now=NOW)

        assert registration.id.startswith("reg_")
        assert registration.attendee_email == "ann@example.org"
        assert registration.seats == 2
        assert registration.registered_at == NOW
        assert registration.event_id == "ev_001"
        assert registration.status is RegistrationStatus.CONFIRMED
        assert (event.seats_taken, event.registration_count) == (2, 1)
        assert event.seats_available == 3
        recorded = event.pull_events()
        assert [type(e) for e in recorded] == [AttendeeRegistered]
        assert recorded[0].registration_id == registration.id  # type: ignore[attr-defined]

    def test_seats_taken_never_exceed_capacity(self) -> None:
        event = published_event(capacity=3)
        event.register("a@example.org", 2, now=NOW)

        with pytest.raises(EventFull):
            event.register("b@example.org", 2, now=NOW)
        event.register("b@example.org", 1, now=NOW)
        with pytest.raises(EventFull):
            event.register("c@example.org", 1, now=NOW)

        assert event.seats_taken == 3
        assert event.registration_count == 2

    def test_a_draft_or_cancelled_event_takes_no_registrations(self) -> None:
        draft = new_event()
        cancelled = published_event()
        cancelled.cancel(now=NOW)

        for event in (draft, cancelled):
            with pytest.raises(RegistrationClosed):
                event.register("a@example.org", now=NOW)
            assert (event.seats_taken, event.registration_count) == (0, 0)

    def test_registration_closes_at_the_start(self) -> None:
        event = published_event()

        with pytest.raises(RegistrationClosed):
            event.register("a@example.org", now=START)

    def test_an_attendee_who_holds_a_registration_cannot_register_again(self) -> None:
        event = published_event()
        event.register("ann@example.org", now=NOW)

        with pytest.raises(AlreadyRegistered):
            event.register("ANN@example.org", now=NOW, already_registered=True)
        assert event.seats_taken == 1

    def test_a_full_event_says_full_before_already_registered_would_matter(self) -> None:
        """Closed and full come first: they hold whoever asks."""
        event = published_event(capacity=1)
        event.register("ann@example.org", now=NOW)

        with pytest.raises(EventFull):
            event.register("bob@example.org", now=NOW)
        with pytest.raises(AlreadyRegistered):
            event.register("ann@example.org", now=NOW, already_registered=True)

    @pytest.mark.parametrize(
        ("email", "seats", "field"),
        [
            ("not-an-email", 1, "attendee_email"),
            ("a@b", 1, "attendee_email"),
            ("", 1, "attendee_email"),
            ("ann\x00@example.org", 1, "attendee_email"),
            ("ann@exa\x7fmple.org", 1, "attendee_email"),
            ("a@example.org", 0, "seats"),
            ("a@example.org", -1, "seats"),
        ],
    )
    def test_bad_registration_input(self, email: str, seats: int, field: str) -> None:
        event = published_event()

        with pytest.raises(DomainRuleViolation) as error:
            event.register(email, seats, now=NOW)

        assert error.value.field == field
        assert event.seats_taken == 0

    def test_cancel_registration_frees_the_seats(self) -> None:
        event = published_event(capacity=2)
        registration = event.register("a@example.org", 2, now=NOW)
        event.pull_events()

        event.cancel_registration(registration, now=NOW)

        assert (event.seats_taken, event.registration_count) == (0, 0)
        assert event.seats_available == 2
        recorded = event.pull_events()
        assert [type(e) for e in recorded] == [RegistrationCancelled]
        assert recorded[0].registration_id == registration.id  # type: ignore[attr-defined]
        event.register("a@example.org", 1, now=NOW)  # the email may come back

    def test_cancel_registration_refusals(self) -> None:
        event = published_event()
        registration = event.register("a@example.org", now=NOW)

        other = published_event(id="ev_other").register("a@example.org", now=NOW)

        with pytest.raises(NotFound):
            event.cancel_registration(other, now=NOW)
        with pytest.raises(RegistrationClosed):
            event.cancel_registration(registration, now=START)
        event.cancel(now=NOW)
        with pytest.raises(InvalidEventState):
            event.cancel_registration(registration, now=NOW)
        assert event.seats_taken == 0
