"""Use cases of the events context.

Each one is a single unit of work: load, call the aggregate, commit. The
unit of work writes every aggregate it handed out back on commit, so a use
case cannot forget to save, and a failure anywhere leaves nothing written.
The domain events of a committed change then go to ``publish``, if the
composition root gave one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from events.application.clock import Clock, utc_now
from events.application.commands import CreateEvent, EventChanges
from events.application.listing import ListEvents, ListRegistrations
from events.application.results import EventDetails, EventSummary, RegistrationDetails
from events.application.unit_of_work import EventsUnitOfWork
from events.domain import (
    Event,
    Registration,
    TicketProduct,
    is_event_id,
    is_registration_id,
    normalize_email,
)
from shared_infrastructure.application import retry_on_conflict
from shared_infrastructure.domain import (
    DomainEvent,
    DomainRuleViolation,
    NotFound,
    Page,
)

UnitOfWorkFactory = Callable[[], EventsUnitOfWork]
EventPublisher = Callable[[Sequence[DomainEvent]], Awaitable[None]]


class EventService:
    """Application service; build one per request or share one (it is stateless).

    ``registration_attempts`` bounds the retries of a registration that lost
    a race (``ConcurrencyConflict``) before the conflict reaches the caller.
    ``publish`` receives the domain events of each write only after its
    commit succeeded (a failed or refused write publishes nothing), so a
    subscriber never hears of a change that was not stored.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock = utc_now,
        *,
        registration_attempts: int = 5,
        retry_backoff: float = 0.02,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        publish: EventPublisher | None = None,
    ) -> None:
        if registration_attempts < 1:
            raise ValueError("registration_attempts must be at least 1")
        self._uow_factory = uow_factory
        self._clock = clock
        self._registration_attempts = registration_attempts
        self._retry_backoff = retry_backoff
        self._sleep = sleep
        self._publish = publish

    # -- writes -------------------------------------------------------------
    async def create_event(self, command: CreateEvent) -> EventDetails:
        async with self._uow_factory().writing() as uow:
            event = Event.create(
                id=command.id,
                title=command.title,
                description=command.description,
                venue=command.venue,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                capacity=command.capacity,
                now=self._clock(),
                ticket_product_code=command.ticket_product_code,
            )
            await uow.events.add(event)
            ticket = await _ticket_product(uow, event)
            await self._commit(uow)
            return EventDetails.of(event, ticket)

    async def update_event(
        self, event_id: str, changes: EventChanges, *, expected_version: int | None = None
    ) -> EventDetails:
        """Details, capacity and schedule in one go: all applied or none."""
        if changes.is_empty:
            raise DomainRuleViolation("nothing to change: give at least one field")
        async with self._uow_factory().writing() as uow:
            event = await _load(uow, event_id)
            event.check_version(expected_version)
            event.update_details(
                title=changes.title, description=changes.description, venue=changes.venue
            )
            if changes.capacity is not None:
                event.change_capacity(changes.capacity)
            if changes.reschedules:
                event.reschedule(
                    changes.starts_at or event.starts_at,
                    changes.ends_at or event.ends_at,
                    now=self._clock(),
                )
            ticket = await _ticket_product(uow, event)
            await self._commit(uow)
            return EventDetails.of(event, ticket)

    async def update_details(
        self,
        event_id: str,
        *,
        title: str | None = None,
        description: str | None = None,
        venue: str | None = None,
        capacity: int | None = None,
        expected_version: int | None = None,
    ) -> EventDetails:
        changes = EventChanges(title=title, description=description, venue=venue, capacity=capacity)
        return await self.update_event(event_id, changes, expected_version=expected_version)

    async def reschedule(
        self,
        event_id: str,
        starts_at: datetime,
        ends_at: datetime,
        *,
        expected_version: int | None = None,
    ) -> EventDetails:
        changes = EventChanges(starts_at=starts_at, ends_at=ends_at)
        return await self.update_event(event_id, changes, expected_version=expected_version)

    async def publish(self, event_id: str, *, expected_version: int | None = None) -> EventDetails:
        async with self._uow_factory().writing() as uow:
            event = await _load(uow, event_id)
            event.check_version(expected_version)
            event.publish(now=self._clock())
            ticket = await _ticket_product(uow, event)
            await self._commit(uow)
            return EventDetails.of(event, ticket)

    async def cancel(self, event_id: str, *, expected_version: int | None = None) -> EventDetails:
        """Locks the event like a registration does, so the cancel queues
        behind the registrations in flight (and they behind it) instead of
        losing the race: every registration then lands before the cancel and
        is cancelled with it, or is refused after it."""
        async with self._uow_factory().writing() as uow:
            event = await _load(uow, event_id, for_update=True)
            event.check_version(expected_version)
            now = self._clock()
            event.cancel(now=now)
            # One statement for all of them, in this transaction.
            await uow.registrations.cancel_confirmed(event.id, now)
            ticket = await _ticket_product(uow, event)
            await self._commit(uow)
            return EventDetails.of(event, ticket)

    async def register_attendee(
        self, event_id: str, attendee_email: str, seats: int = 1
    ) -> RegistrationDetails:
        """The same few statements whatever the number of registrations: lock
        the event row, look up this attendee, check the ticket, insert one
        row and update the event's counters (version-checked).

        Registrations commute, so a lost race is retried from a fresh load
        rather than reported; ``EventFull`` etc. are never retried."""

        async def attempt() -> RegistrationDetails:
            async with self._uow_factory().writing() as uow:
                event = await _load(uow, event_id, for_update=True)
                email = normalize_email(attendee_email)
                existing = await uow.registrations.find_by_attendee(event.id, email)
                registration = event.register(
                    email,
                    seats,
                    now=self._clock(),
                    already_registered=existing is not None,
                    ticket=await _ticket_product(uow, event),
                )
                await uow.registrations.add(registration)
                await self._commit(uow)
                return RegistrationDetails.of(registration, event)

        return await retry_on_conflict(
            attempt,
            attempts=self._registration_attempts,
            backoff=self._retry_backoff,
            sleep=self._sleep,
        )

    async def cancel_registration(self, event_id: str, registration_id: str) -> None:
        async with self._uow_factory().writing() as uow:
            event = await _load(uow, event_id, for_update=True)
            registration = await _registration(uow, event, registration_id)
            event.cancel_registration(registration, now=self._clock())
            await uow.registrations.remove(registration)
            await self._commit(uow)

    # -- reads --------------------------------------------------------------
    async def get_event(self, event_id: str) -> EventDetails:
        async with self._uow_factory() as uow:
            event = await _load(uow, event_id)
            return EventDetails.of(event, await _ticket_product(uow, event))

    async def list_registrations(
        self, event_id: str, query: ListRegistrations | None = None
    ) -> Page[RegistrationDetails]:
        """One page of the event's registrations; ``NotFound`` for no event."""
        spec = (query or ListRegistrations()).to_spec()
        async with self._uow_factory() as uow:
            event = await _load(uow, event_id)
            page = await uow.registrations.list_for_event(event.id, spec)
            return Page(
                [RegistrationDetails.of(registration) for registration in page.items],
                total=None,
                limit=page.limit,
                next_cursor=page.next_cursor,
            )

    async def list_events(self, query: ListEvents | None = None) -> Page[EventSummary]:
        spec = (query or ListEvents()).to_spec(now=self._clock())
        async with self._uow_factory() as uow:
            page = await uow.events.list(spec)
            return Page(
                [EventSummary.of(event) for event in page.items],
                total=page.total,
                limit=page.limit,
                offset=page.offset,
                next_cursor=page.next_cursor,
            )

    # -- helpers ------------------------------------------------------------
    async def _commit(self, uow: EventsUnitOfWork) -> None:
        await uow.commit()
        events = uow.collect_events()
        if events and self._publish is not None:
            await self._publish(events)


async def _load(uow: EventsUnitOfWork, event_id: str, *, for_update: bool = False) -> Event:
    """The event, or ``NotFound``; an id no event can have (``a\\x00b``,
    ``Bad Id``) is not found without a query, since a database may refuse to
    even bind it (PostgreSQL and NUL)."""
    if not is_event_id(event_id):
        raise NotFound("Event", event_id)
    if for_update:
        return await uow.events.get_for_update_or_raise(event_id)
    return await uow.events.get_or_raise(event_id)


async def _registration(uow: EventsUnitOfWork, event: Event, registration_id: str) -> Registration:
    """One of the event's registrations, or ``NotFound`` (also for the id of
    another event's registration)."""
    if not is_registration_id(registration_id):
        raise NotFound("Registration", registration_id)
    registration = await uow.registrations.get(registration_id)
    if registration is None or registration.event_id != event.id:
        raise NotFound("Registration", registration_id)
    return registration


async def _ticket_product(uow: EventsUnitOfWork, event: Event) -> TicketProduct | None:
    """What this context knows of the event's ticket product, if it has one."""
    if event.ticket_product_code is None:
        return None
    return await uow.ticket_products.get(event.ticket_product_code)
