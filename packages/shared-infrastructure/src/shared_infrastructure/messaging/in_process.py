"""The embedded transport: the relay's messages go straight to the
subscriptions of this process, each through its consumer's inbox.

Per consumer, a message is applied, or retried with exponential backoff,
or after ``max_attempts`` failures *parked* (``messaging_parked``: visible in
``api outbox status``, retried with ``api outbox retry``). Either way it is
durably accepted and the relay moves on. To keep each aggregate key in
order, a consumer that has a message of some key parked parks the later
messages of that key too (behind it) until the parked one is retried; other
keys and other consumers keep flowing. On PostgreSQL and MariaDB the keys
of a batch can be delivered concurrently (``concurrency`` at a time, default 1), each key
in order: a delivery waits for its own commit, so this is what throughput
scales with. SQLite (one writer) delivers them one after the other.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.database.write_intent import async_begin_writing
from shared_infrastructure.messaging.inbox import Inbox
from shared_infrastructure.messaging.records import OutboxRecord, ParkedRecord

logger = logging.getLogger("shared_infrastructure.messaging")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt ``max_attempts`` times, waiting ``first_delay`` seconds after
    the first failure and ``factor`` times longer after each next one (at
    most ``max_delay``); then park."""

    max_attempts: int = 5
    first_delay: float = 0.1
    factor: float = 2.0
    max_delay: float = 5.0

    def delay_after(self, attempt: int) -> float:
        return float(min(self.max_delay, self.first_delay * self.factor ** (attempt - 1)))


class InProcessPublisher:
    """:class:`~shared_infrastructure.messaging.OutboxPublisher` that applies
    events to ``subscriptions`` in this process (the embedded default)."""

    def __init__(
        self,
        database: AsyncDatabase,
        subscriptions: Sequence[Subscription],
        retry: RetryPolicy | None = None,
        *,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._database = database
        self._subscriptions = tuple(subscriptions)
        self._inbox = Inbox(database)
        self.retry = retry or RetryPolicy()
        # SQLite has one writer: concurrent deliveries would only queue on its lock.
        self.concurrency = 1 if database.engine.dialect.name == "sqlite" else concurrency

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return self._subscriptions

    async def publish(self, events: Sequence[IntegrationEvent]) -> None:
        if not events:
            return
        # One look-up per batch: which (consumer, key) pairs wait behind a parked message.
        blocked = await parked_keys(self._database, {event.aggregate_key for event in events})
        by_key: dict[str, list[IntegrationEvent]] = {}
        for event in events:
            by_key.setdefault(event.aggregate_key, []).append(event)
        # Keys are independent: up to `concurrency` of them at once (each
        # delivery waits for its own commit), each key strictly in order.
        slots = asyncio.Semaphore(self.concurrency)

        async def deliver_in_order(group: list[IntegrationEvent]) -> None:
            async with slots:
                for event in group:
                    for subscription in self._subscriptions:
                        if subscription.matches(event):
                            await self._deliver(subscription, event, blocked)

        try:
            async with asyncio.TaskGroup() as tasks:
                for group in by_key.values():
                    tasks.create_task(deliver_in_order(group))
        except ExceptionGroup as failures:  # e.g. the database went away while parking
            raise failures.exceptions[0] from failures

    async def _deliver(
        self,
        subscription: Subscription,
        event: IntegrationEvent,
        blocked: dict[tuple[str, str], str],
    ) -> None:
        head = blocked.get((subscription.key, event.aggregate_key))
        if head is not None and head != str(event.id):
            await park(self._database, subscription.key, event, 0, f"waiting behind parked {head}")
            return
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                await self._inbox.apply(subscription, event)
                return
            except Exception as error:
                if attempt == self.retry.max_attempts:
                    logger.error(
                        "parking %s %s for %s after %d attempts",
                        event.topic,
                        event.id,
                        subscription.key,
                        attempt,
                        exc_info=True,
                    )
                    await park(self._database, subscription.key, event, attempt, _describe(error))
                    blocked[(subscription.key, event.aggregate_key)] = str(event.id)
                    return
                logger.warning(
                    "%s failed on %s %s (attempt %d): %r",
                    subscription.key,
                    event.topic,
                    event.id,
                    attempt,
                    error,
                )
                await asyncio.sleep(self.retry.delay_after(attempt))


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()[:2000]


async def parked_keys(database: AsyncDatabase, keys: set[str]) -> dict[tuple[str, str], str]:
    """For each (consumer, aggregate key) among ``keys`` with a parked
    message: the id of the earliest one (later messages wait behind it)."""
    async with database.session_factory() as session:
        rows = (
            await session.execute(
                select(ParkedRecord.consumer, ParkedRecord.aggregate_key, ParkedRecord.message_id)
                .where(ParkedRecord.aggregate_key.in_(keys))
                .order_by(ParkedRecord.position.desc(), ParkedRecord.parked_at.desc())
            )
        ).all()
    return {(consumer, key): str(message_id) for consumer, key, message_id in rows}


async def park(
    database: AsyncDatabase, consumer: str, event: IntegrationEvent, attempts: int, error: str
) -> None:
    """Keep ``event`` for ``consumer`` until retried (idempotent)."""
    async with database.session_factory() as session:
        await async_begin_writing(session)
        position = await session.scalar(
            select(OutboxRecord.position).where(OutboxRecord.message_id == event.id)
        )
        existing = await session.get(ParkedRecord, (consumer, event.id))
        if existing is not None:
            existing.attempts += attempts
            existing.last_error = error
        else:
            session.add(
                ParkedRecord(
                    consumer=consumer,
                    message_id=event.id,
                    position=position or 0,
                    aggregate_key=event.aggregate_key,
                    body=event.to_json(),
                    attempts=attempts,
                    last_error=error,
                    parked_at=utcnow(),
                )
            )
        try:
            await session.commit()
        except IntegrityError:  # parked concurrently by a duplicate delivery
            await session.rollback()


__all__ = ["InProcessPublisher", "RetryPolicy", "park", "parked_keys"]
