"""The relay: outbox rows to a publisher, in order, at least once.

One round (:meth:`OutboxRelay.relay_once`):

1. **claim**, in a short transaction: the oldest pending rows that no live
   lease holds, locked ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and MariaDB
   (several relays take disjoint batches), under the write lock on SQLite
   (claims queue). A row is kept only if every earlier pending row of its
   aggregate key is in the same batch: a key whose head another relay holds
   waits for it, so each key is delivered in order. The kept rows get a
   lease (``claimed_until``, ``claim_token``) and the transaction commits;
2. **publish** the batch (outside any transaction: consumers write in their
   own);
3. **mark** the rows sent, only after the publisher accepted them all.

A relay that dies after publishing and before marking leaves leased rows;
once the lease expires another round delivers them again, and every
consumer's inbox drops the duplicates. A publisher that fails releases the
batch at once, for the next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Row, and_, event, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from shared_infrastructure.application.integration_events import IntegrationEvent
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.database.write_intent import async_begin_writing
from shared_infrastructure.messaging.outbox import OUTBOX_WRITTEN
from shared_infrastructure.messaging.publisher import OutboxPublisher
from shared_infrastructure.messaging.records import OutboxRecord

logger = logging.getLogger("shared_infrastructure.messaging")

_Outbox = OutboxRecord
_Candidate = Row[tuple[int, str, str]]  # position, aggregate_key, body


@dataclass(frozen=True, slots=True)
class RelaySettings:
    batch_size: int = 100
    lease_seconds: float = 30.0
    """How long a claimed batch is reserved; must exceed one publish."""
    poll_interval: float = 0.5
    """Idle wait between rounds; a commit that wrote to the outbox through
    this database's engine wakes the relay at once."""
    error_pause: float = 1.0
    """Wait after a failed round before the next one; doubled after each
    further failure (a database that is down), up to ``max_error_pause``."""
    max_error_pause: float = 30.0


@dataclass(frozen=True, slots=True)
class _Claimed:
    token: str
    positions: tuple[int, ...]
    events: tuple[IntegrationEvent, ...]


class OutboxRelay:
    """Moves outbox rows of ``database`` to ``publisher`` (see module doc)."""

    def __init__(
        self,
        database: AsyncDatabase,
        publisher: OutboxPublisher,
        settings: RelaySettings | None = None,
    ) -> None:
        self._database = database
        self._publisher = publisher
        self.settings = settings or RelaySettings()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._servers_lock = database.engine.dialect.name != "sqlite"

    # -- one round -------------------------------------------------------------
    async def relay_once(self) -> int:
        """Claim, publish and mark one batch; the number of messages delivered."""
        claimed = await self._claim()
        if claimed is None:
            return 0
        try:
            await self._publisher.publish(claimed.events)
        except BaseException:
            await asyncio.shield(self._release(claimed))
            raise
        await asyncio.shield(self._mark_sent(claimed))
        return len(claimed.positions)

    async def _claim(self) -> _Claimed | None:
        now = utcnow()
        claimable = and_(
            _Outbox.sent_at.is_(None),
            or_(_Outbox.claimed_until.is_(None), _Outbox.claimed_until < now),
        )
        async with self._database.session_factory() as session:
            if await session.scalar(select(_Outbox.position).where(claimable).limit(1)) is None:
                return None  # idle: no write lock, no row lock
            await session.rollback()
            await self._begin(session)
            candidates = (
                select(_Outbox.position, _Outbox.aggregate_key, _Outbox.body)
                .where(claimable)
                .order_by(_Outbox.position)
                .limit(self.settings.batch_size)
            )
            if self._servers_lock:
                candidates = candidates.with_for_update(skip_locked=True)
            rows: Sequence[_Candidate] = (await session.execute(candidates)).all()  # type: ignore[assignment]
            kept = await self._in_key_order(session, rows) if rows else []
            if not kept:
                await session.rollback()
                return None
            token = str(uuid.uuid4())
            positions = tuple(row.position for row in kept)
            await session.execute(
                update(_Outbox)
                .where(_Outbox.position.in_(positions))
                .values(
                    claimed_until=now + timedelta(seconds=self.settings.lease_seconds),
                    claim_token=token,
                )
            )
            await session.commit()
        events = tuple(IntegrationEvent.from_json(row.body) for row in kept)
        return _Claimed(token, positions, events)

    async def _begin(self, session: AsyncSession) -> None:
        """READ COMMITTED on the servers (the order check must see other
        relays' commits; no gap locks on MariaDB), the write lock on SQLite."""
        if self._servers_lock:
            await session.connection(execution_options={"isolation_level": "READ COMMITTED"})
        else:
            await async_begin_writing(session)

    @staticmethod
    async def _in_key_order(
        session: AsyncSession, rows: Sequence[Row[tuple[int, str, str]]]
    ) -> list[Row[tuple[int, str, str]]]:
        """The claimed rows no earlier pending row of their key precedes
        (unless that row is claimed in this batch too)."""
        mine = {row.position: row for row in rows}
        keys = {row.aggregate_key for row in rows}
        pending = await session.execute(
            select(_Outbox.position, _Outbox.aggregate_key)
            .where(
                _Outbox.sent_at.is_(None),
                _Outbox.aggregate_key.in_(keys),
                _Outbox.position <= rows[-1].position,
            )
            .order_by(_Outbox.position)
        )
        blocked: set[str] = set()
        kept = []
        for position, key in pending:
            if key in blocked:
                continue
            if position in mine:
                kept.append(mine[position])
            else:
                blocked.add(key)
        return kept

    async def _mark_sent(self, claimed: _Claimed) -> None:
        await self._finish(claimed, sent=True)

    async def _release(self, claimed: _Claimed) -> None:
        try:
            await self._finish(claimed, sent=False)
        except Exception:  # the lease expires anyway
            logger.warning("could not release a claimed outbox batch", exc_info=True)

    async def _finish(self, claimed: _Claimed, *, sent: bool) -> None:
        async with self._database.session_factory() as session:
            await async_begin_writing(session)
            await session.execute(
                update(_Outbox)
                .where(
                    _Outbox.position.in_(claimed.positions),
                    _Outbox.claim_token == claimed.token,
                )
                .values(
                    sent_at=utcnow() if sent else None,
                    claimed_until=None,
                    claim_token=None,
                )
            )
            await session.commit()

    # -- the long-running loop -------------------------------------------------
    def wake(self) -> None:
        """Run the next round now (called after a commit wrote to the outbox)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Relay until :meth:`stop` (or cancellation): a full batch is followed
        at once by the next round, an empty one waits for a wake-up or the
        poll interval; a failed round is logged and retried after a pause."""
        pause = self.settings.error_pause
        with _wake_on_outbox_commits(self):
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    delivered = await self.relay_once()
                except Exception as error:
                    logger.warning(
                        "outbox relay round failed (%s); next try in %.1f s",
                        type(error).__name__,
                        pause,
                        exc_info=pause == self.settings.error_pause,  # the trace once per outage
                    )
                    await self._sleep(pause)
                    pause = min(pause * 2, self.settings.max_error_pause)
                    continue
                pause = self.settings.error_pause
                if delivered < self.settings.batch_size:
                    await self._sleep(self.settings.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)


class _wake_on_outbox_commits:
    """Listen to the engine's commits while the relay runs: a transaction
    that wrote outbox rows (flagged on its connection) wakes the relay."""

    def __init__(self, relay: OutboxRelay) -> None:
        self._relay = relay
        self._engine = relay._database.engine.sync_engine

    def _on_commit(self, connection: Connection) -> None:
        if connection.info.pop(OUTBOX_WRITTEN, False):
            self._relay.wake()

    def _on_rollback(self, connection: Connection) -> None:
        connection.info.pop(OUTBOX_WRITTEN, None)

    def __enter__(self) -> None:
        event.listen(self._engine, "commit", self._on_commit)
        event.listen(self._engine, "rollback", self._on_rollback)

    def __exit__(self, *exc_info: object) -> None:
        event.remove(self._engine, "commit", self._on_commit)
        event.remove(self._engine, "rollback", self._on_rollback)


__all__ = ["OutboxRelay", "RelaySettings"]
