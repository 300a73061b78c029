"""Write intent: begin a transaction that will write with the write lock held.

SQLite has one writer per database file. A deferred transaction that read
and then writes fails at once (``SQLITE_BUSY_SNAPSHOT``) when another
connection committed in between; no retry budget is enough under a burst of
writers. Declared up front, the transaction begins ``IMMEDIATE`` instead and
waits its turn on the busy timeout. PostgreSQL and MariaDB lock rows, not
the database: there the declaration changes nothing.

It only takes effect when it starts the session's transaction: a session
already in one (or joined to an outer connection, as in the test fixtures)
is left as it is.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

WRITE_INTENT = "shared_infrastructure.write_intent"
"""Connection execution option read by the engine's ``begin`` event."""

_OPTIONS = {WRITE_INTENT: True}


def _can_declare(session: Session) -> bool:
    return not session.in_transaction() and isinstance(session.get_bind(), Engine)


def begin_writing(session: Session) -> None:
    """Begin ``session``'s transaction with write intent, if it has none yet."""
    if _can_declare(session):
        session.connection(execution_options=_OPTIONS)


async def async_begin_writing(session: AsyncSession) -> None:
    """The async twin of :func:`begin_writing`."""
    if _can_declare(session.sync_session):
        await session.connection(execution_options=_OPTIONS)


__all__ = ["WRITE_INTENT", "async_begin_writing", "begin_writing"]
