"""Event aggregate <-> records. Pure translation; no session, no I/O."""

from __future__ import annotations

from events.domain import Event, EventStatus, Registration, RegistrationStatus
from events.infrastructure.records import EventRecord, RegistrationRecord
from shared_infrastructure.persistence import AggregateMapper


class EventMapper(AggregateMapper[Event, EventRecord]):
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
            registrations=[_registration(r) for r in record.registrations],
            version=record.version,
        )

    def to_record(self, aggregate: Event, record: EventRecord | None = None) -> EventRecord:
        if record is None:
            record = EventRecord(id=aggregate.id, registrations=[])
        record.title = aggregate.title
        record.description = aggregate.description
        record.venue = aggregate.venue
        record.starts_at = aggregate.starts_at
        record.ends_at = aggregate.ends_at
        record.capacity = aggregate.capacity
        record.status = aggregate.status.value
        record.seats_taken = aggregate.seats_taken
        self._sync_registrations(aggregate, record)
        return record

    @staticmethod
    def _sync_registrations(aggregate: Event, record: EventRecord) -> None:
        """Update rows in place by id, add new ones, drop the ones that went
        (delete-orphan deletes them), so unchanged rows are not rewritten."""
        existing = {row.id: row for row in record.registrations}
        rows: list[RegistrationRecord] = []
        for registration in aggregate.registrations:
            row = existing.get(registration.id) or RegistrationRecord(id=registration.id)
            row.attendee_email = registration.attendee_email
            row.seats = registration.seats
            row.status = registration.status.value
            row.registered_at = registration.registered_at
            row.cancelled_at = registration.cancelled_at
            rows.append(row)
        if [row.id for row in record.registrations] != [row.id for row in rows]:
            record.registrations = rows


def _registration(row: RegistrationRecord) -> Registration:
    return Registration(
        id=row.id,
        attendee_email=row.attendee_email,
        seats=row.seats,
        registered_at=row.registered_at,
        status=RegistrationStatus(row.status),
        cancelled_at=row.cancelled_at,
    )
