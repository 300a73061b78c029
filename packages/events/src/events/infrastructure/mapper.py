"""Aggregates <-> records. Pure translation; no session, no I/O."""

from __future__ import annotations

from events.domain import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    TicketPrice,
    TicketProduct,
)
from events.infrastructure.records import EventRecord, RegistrationRecord, TicketProductRecord
from shared_infrastructure.persistence import AggregateMapper


class EventMapper(AggregateMapper[Event, EventRecord]):
    """The event row alone: its registrations are aggregates of their own."""

    record_type = EventRecord

    def to_aggregate(self, record: EventRecord) -> Event:
        return Event(
            id=record.id,
            title=record.title,
            description=record.description,
            venue=record.venue,
            starts_at=record.starts_at,
            ends_at=record.ends_at,
            capacity=record.capacity,
            status=EventStatus(record.status),
            seats_taken=record.seats_taken,
            registration_count=record.registration_count,
            ticket_product_code=record.ticket_product_code,
            version=record.version,
        )

    def to_record(self, aggregate: Event, record: EventRecord | None = None) -> EventRecord:
        if record is None:
            record = EventRecord(id=aggregate.id)
        record.title = aggregate.title
        record.description = aggregate.description
        record.venue = aggregate.venue
        record.starts_at = aggregate.starts_at
        record.ends_at = aggregate.ends_at
        record.capacity = aggregate.capacity
        record.status = aggregate.status.value
        record.seats_taken = aggregate.seats_taken
        record.registration_count = aggregate.registration_count
        record.ticket_product_code = aggregate.ticket_product_code
        return record


class RegistrationMapper(AggregateMapper[Registration, RegistrationRecord]):
    record_type = RegistrationRecord

    def to_aggregate(self, record: RegistrationRecord) -> Registration:
        return Registration(
            id=record.id,
            event_id=record.event_id,
            attendee_email=record.attendee_email,
            seats=record.seats,
            registered_at=record.registered_at,
            status=RegistrationStatus(record.status),
            cancelled_at=record.cancelled_at,
        )

    def to_record(
        self, aggregate: Registration, record: RegistrationRecord | None = None
    ) -> RegistrationRecord:
        if record is None:
            record = RegistrationRecord(id=aggregate.id, event_id=aggregate.event_id)
        record.attendee_email = aggregate.attendee_email
        record.seats = aggregate.seats
        record.status = aggregate.status.value
        record.registered_at = aggregate.registered_at
        record.cancelled_at = aggregate.cancelled_at
        return record


class TicketProductMapper(AggregateMapper[TicketProduct, TicketProductRecord]):
    record_type = TicketProductRecord

    def to_aggregate(self, record: TicketProductRecord) -> TicketProduct:
        price = None
        if record.price_amount is not None and record.price_currency is not None:
            price = TicketPrice(amount=record.price_amount, currency=record.price_currency)
        return TicketProduct(
            code=record.code,
            price=price,
            on_sale=record.on_sale,
            as_of=record.as_of,
            version=record.version,
        )

    def to_record(
        self, aggregate: TicketProduct, record: TicketProductRecord | None = None
    ) -> TicketProductRecord:
        if record is None:
            record = TicketProductRecord(code=aggregate.code)
        price = aggregate.price
        record.price_amount = None if price is None else price.amount
        record.price_currency = None if price is None else price.currency
        record.on_sale = aggregate.on_sale
        record.as_of = aggregate.as_of
        return record
