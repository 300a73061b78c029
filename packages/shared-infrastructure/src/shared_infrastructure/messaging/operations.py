"""What an operator needs: the outbox's lag, parked messages, retry, replay."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, or_, select

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.messaging.in_process import park
from shared_infrastructure.messaging.inbox import Inbox
from shared_infrastructure.messaging.records import OutboxRecord, ParkedRecord


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    """Outbox rows not delivered yet."""
    parked: int
    """Messages parked for some consumer (one per consumer and message)."""
    oldest_pending_age_seconds: float | None
    """How long the oldest pending row has waited: the relay's lag."""


async def outbox_status(database: AsyncDatabase) -> OutboxStatus:
    async with database.session_factory() as session:
        pending, oldest = (
            await session.execute(
                select(func.count(), func.min(OutboxRecord.created_at)).where(
                    OutboxRecord.sent_at.is_(None)
                )
            )
        ).one()
        parked = await session.scalar(select(func.count()).select_from(ParkedRecord))
    age = None
    if oldest is not None:
        created = oldest if isinstance(oldest, datetime) else datetime.fromisoformat(str(oldest))
        age = max(0.0, (utcnow() - _aware(created)).total_seconds())
    return OutboxStatus(int(pending), int(parked or 0), age)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ParkedMessage:
    consumer: str
    message_id: uuid.UUID
    position: int
    aggregate_key: str
    topic: str
    attempts: int
    last_error: str
    parked_at: datetime


async def parked_messages(database: AsyncDatabase, limit: int = 100) -> list[ParkedMessage]:
    async with database.session_factory() as session:
        records = (
            await session.scalars(
                select(ParkedRecord)
                .order_by(ParkedRecord.consumer, ParkedRecord.position)
                .limit(limit)
            )
        ).all()
    return [
        ParkedMessage(
            record.consumer,
            record.message_id,
            record.position,
            record.aggregate_key,
            IntegrationEvent.from_json(record.body).topic,
            record.attempts,
            record.last_error,
            record.parked_at,
        )
        for record in records
    ]


class UnknownParkedMessage(LookupError):
    """No such parked message (or no subscription for its consumer)."""


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    applied: int
    still_parked: int


async def retry_parked(
    database: AsyncDatabase,
    subscriptions: Sequence[Subscription],
    message_id: uuid.UUID,
    consumer: str | None = None,
) -> RetryOutcome:
    """Apply a parked message again, with those parked behind it for the same
    consumer and key, in order from the earliest; stop at the first that
    fails again (it stays parked, one attempt more)."""
    async with database.session_factory() as session:
        query = select(ParkedRecord).where(ParkedRecord.message_id == message_id)
        if consumer is not None:
            query = query.where(ParkedRecord.consumer == consumer)
        targets = (await session.scalars(query)).all()
        if not targets:
            raise UnknownParkedMessage(f"no parked message {message_id}")
        chains: list[tuple[str, list[tuple[uuid.UUID, str]]]] = []
        for target in targets:
            records = (
                await session.scalars(
                    select(ParkedRecord)
                    .where(
                        ParkedRecord.consumer == target.consumer,
                        ParkedRecord.aggregate_key == target.aggregate_key,
                    )
                    .order_by(ParkedRecord.position, ParkedRecord.parked_at)
                )
            ).all()
            chains.append((target.consumer, [(r.message_id, r.body) for r in records]))
    inbox = Inbox(database)
    applied = remaining = 0
    for key, chain in chains:
        readers = [subscription for subscription in subscriptions if subscription.key == key]
        if not readers:
            raise UnknownParkedMessage(f"no subscription {key!r} in this service")
        for index, (parked_id, body) in enumerate(chain):
            event = IntegrationEvent.from_json(body)
            subscription = next((s for s in readers if s.matches(event)), None)
            if subscription is None:
                raise UnknownParkedMessage(f"{key!r} no longer reads {event.topic}")
            try:
                await inbox.apply(subscription, event)
            except Exception as error:
                await park(database, key, event, 1, repr(error)[:2000])
                remaining += len(chain) - index
                break
            await _unpark(database, key, parked_id)
            applied += 1
    return RetryOutcome(applied, remaining)


async def _unpark(database: AsyncDatabase, consumer: str, message_id: uuid.UUID) -> None:
    async with database.session_factory() as session:
        await session.execute(
            delete(ParkedRecord).where(
                ParkedRecord.consumer == consumer, ParkedRecord.message_id == message_id
            )
        )
        await session.commit()


async def replay(
    database: AsyncDatabase,
    consumer: Sequence[Subscription],
    first_position: int,
    last_position: int,
) -> int:
    """Apply the outbox messages at positions ``first..last`` (inclusive)
    that one consumer reads (its subscriptions, one per topic, sharing a
    key) to it again, in order, even those its inbox already holds (e.g. to
    rebuild a projection); the count applied."""
    keys = {subscription.key for subscription in consumer}
    if len(keys) != 1:
        raise ValueError("replay one consumer at a time: its subscriptions share one key")
    topics = or_(
        *(and_(OutboxRecord.name == s.name, OutboxRecord.version == s.version) for s in consumer)
    )
    async with database.session_factory() as session:
        bodies = (
            await session.scalars(
                select(OutboxRecord.body)
                .where(
                    OutboxRecord.position >= first_position,
                    OutboxRecord.position <= last_position,
                    topics,
                )
                .order_by(OutboxRecord.position)
            )
        ).all()
    inbox = Inbox(database)
    for body in bodies:
        event = IntegrationEvent.from_json(body)
        subscription = next(s for s in consumer if s.matches(event))
        await inbox.forget(subscription.key, event)
        await inbox.apply(subscription, event)
    return len(bodies)


__all__ = [
    "OutboxStatus",
    "ParkedMessage",
    "RetryOutcome",
    "UnknownParkedMessage",
    "outbox_status",
    "parked_messages",
    "replay",
    "retry_parked",
]
