"""The inbox: a consumer applies each message once, in its own transaction.

``Inbox.apply`` opens a scope of its own, records (consumer, message id) and
runs the handler in it; the handler's unit of work joins the scope (ADR
0016), so its changes and the inbox row commit together or not at all. A
message already in the inbox is acknowledged without running the handler:
delivery is at least once, application exactly once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.database.write_intent import async_begin_writing
from shared_infrastructure.messaging.records import InboxRecord


class Inbox:
    def __init__(self, database: AsyncDatabase) -> None:
        self._database = database

    async def apply(self, subscription: Subscription, event: IntegrationEvent) -> bool:
        """Run ``subscription.handler(event)`` once per consumer; False when
        it was applied before. A failing handler rolls back and re-raises."""
        async with self._database.scope() as session:
            await async_begin_writing(session)
            seen = await session.scalar(
                select(InboxRecord.message_id).where(
                    InboxRecord.consumer == subscription.key,
                    InboxRecord.message_id == event.id,
                )
            )
            if seen is not None:
                return False
            session.add(
                InboxRecord(consumer=subscription.key, message_id=event.id, applied_at=utcnow())
            )
            try:
                await session.flush()
            except IntegrityError:  # a concurrent delivery of the same message won
                await session.rollback()
                return False
            await subscription.handler(event)
            await session.commit()
        return True

    async def forget(self, subscription_key: str, event: IntegrationEvent) -> None:
        """Remove a message from a consumer's inbox (a replay re-applies it)."""
        async with self._database.scope() as session:
            record = await session.get(InboxRecord, (subscription_key, event.id))
            if record is not None:
                await session.delete(record)
                await session.commit()


__all__ = ["Inbox"]
