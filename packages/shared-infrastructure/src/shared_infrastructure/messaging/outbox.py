"""Writing integration events to the outbox, inside the caller's transaction.

The unit of work calls :func:`write_to_outbox` after flushing the
aggregates (so their row locks and version checks come first: two writers
of one aggregate cannot both reach the outbox) and before it commits. One
statement for all the events of a commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from shared_infrastructure.application.integration_events import IntegrationEvent
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.messaging.records import OutboxRecord

OUTBOX_WRITTEN = "shared_infrastructure.messaging.outbox_written"
"""Connection ``info`` flag: this transaction wrote outbox rows (a running
relay listens to the engine's commits and wakes up)."""

_INSERT = insert(cast(Table, OutboxRecord.__table__))  # Core: no ORM bulk bookkeeping


def outbox_row(event: IntegrationEvent, now: Any) -> dict[str, Any]:
    return {
        "message_id": event.id,
        "source": event.source,
        "name": event.name,
        "version": event.version,
        "aggregate_key": event.aggregate_key,
        "body": event.to_json(),
        "created_at": now,
    }


def write_to_outbox(session: Session, events: Sequence[IntegrationEvent]) -> None:
    """One outbox row per event, in ``session``'s current transaction."""
    if not events:
        return
    now = utcnow()
    connection = session.connection()  # Core on the session's connection: no ORM execute
    rows = [outbox_row(event, now) for event in events]
    connection.execute(_INSERT, rows[0] if len(rows) == 1 else rows)
    connection.info[OUTBOX_WRITTEN] = True


__all__ = ["OUTBOX_WRITTEN", "outbox_row", "write_to_outbox"]
