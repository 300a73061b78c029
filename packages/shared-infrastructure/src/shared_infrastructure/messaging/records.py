"""The tables of the messaging infrastructure, on the shared ``Base``.

They belong to shared infrastructure, not to a context: their Alembic
history is the ``messaging`` branch (``migrations/versions``), registered by
the service next to every context's branch.

- ``messaging_outbox``: one row per integration event, written in the
  transaction of the change that produced it; ``position`` orders them.
- ``messaging_inbox``: the messages each consumer applied (its idempotency
  record), written in the consumer's own transaction.
- ``messaging_parked``: messages a consumer failed on too often, kept
  visible until retried (the dead letters of the in-process transport).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.database.base import Base

# SQLite only autoincrements an INTEGER PRIMARY KEY.
Position = BigInteger().with_variant(Integer(), "sqlite")


class OutboxRecord(Base):
    __tablename__ = "messaging_outbox"

    position: Mapped[int] = mapped_column(Position, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    source: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    aggregate_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    """The envelope as ``IntegrationEvent.to_json()``: what a transport carries."""
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    """A relay's lease on the row while it delivers it (``claim_token``)."""
    claim_token: Mapped[str | None] = mapped_column(String(36), default=None)

    __table_args__ = (
        Index("ix_messaging_outbox_pending", "sent_at", "position"),
        Index("ix_messaging_outbox_key_position", "aggregate_key", "position"),
    )


class InboxRecord(Base):
    __tablename__ = "messaging_inbox"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    """``Subscription.key``: ``subscriber.consumer``."""
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    applied_at: Mapped[datetime]


class ParkedRecord(Base):
    __tablename__ = "messaging_parked"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    position: Mapped[int] = mapped_column(Position)
    """The outbox position: retries go in this order, per key."""
    aggregate_key: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text)
    parked_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_messaging_parked_consumer_key", "consumer", "aggregate_key", "position"),
    )


__all__ = ["InboxRecord", "OutboxRecord", "ParkedRecord"]
