"""The embedded transport: the relay's messages go straight to the
subscriptions of this process, each through its consumer's inbox.

Per consumer, a message is applied, or retried with exponential backoff,
or after ``max_attempts`` failures *parked* (``messaging_parked``: visible in
``api outbox status``, retried with ``api outbox retry``). Either way it is
durably accepted and the relay moves on. To keep each aggregate key in
order, a consumer that has a message of some key parked parks the later
messages of that key too (behind it) until the parked one is retried; other
keys and other consumers keep flowing.
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
    ) -> None:
        self._database = database
        self._subscriptions = tuple(subscriptions)
        self._inbox = Inbox(database)
        self.retry = retry or RetryPolicy()

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return self._subscriptions

    async def publish(self, events: Sequence[IntegrationEvent]) -> None:
        for event in events:
            for subscription in self._subscriptions:
                if subscription.matches(event):
                    await self._deliver(subscription, event)

    async def _deliver(self, subscription: Subscription, event: IntegrationEvent) -> None:
        blocker = await parked_ahead(self._database, subscription.key, event)
        if blocker is not None:
            await park(
                self._database, subscription.key, event, 0, f"waiting behind parked {blocker}"
            )
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


async def parked_ahead(
    database: AsyncDatabase, consumer: str, event: IntegrationEvent
) -> str | None:
    """The id of a message of ``event``'s key parked for ``consumer`` (other
    than ``event`` itself), if any."""
    async with database.session_factory() as session:
        found = await session.scalar(
            select(ParkedRecord.message_id)
            .where(
                ParkedRecord.consumer == consumer,
                ParkedRecord.aggregate_key == event.aggregate_key,
                ParkedRecord.message_id != event.id,
            )
            .limit(1)
        )
    return None if found is None else str(found)


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


__all__ = ["InProcessPublisher", "RetryPolicy", "park", "parked_ahead"]
