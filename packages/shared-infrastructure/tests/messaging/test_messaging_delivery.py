"""Relay, inbox and the in-process publisher on the selected database:
in order per aggregate key, at least once delivered, exactly once applied."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, func, select

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.messaging import (
    Inbox,
    InProcessPublisher,
    OutboxRelay,
    RelaySettings,
    RetryPolicy,
    outbox_status,
    parked_messages,
    replay,
    retry_parked,
)
from shared_infrastructure.messaging.records import OutboxRecord

from .ledger_model import Account, AppliedRecord, ledger_uow, recording

FAST = RetryPolicy(max_attempts=3, first_delay=0.001, max_delay=0.01)


class Killed(BaseException):
    """The process died (nothing after it runs)."""


class KilledBeforeMarking(OutboxRelay):
    """Publishes, then dies before it marks the rows sent."""

    async def _mark_sent(self, claimed: object) -> None:
        raise Killed


async def open_and_deposit(database: AsyncDatabase, account_id: str, deposits: int) -> None:
    async with ledger_uow(database).writing() as uow:
        account = Account.open(account_id, f"owner-{account_id}")
        await uow.accounts.add(account)
        await uow.commit()
    for _ in range(deposits):
        async with ledger_uow(database).writing() as uow:
            account = await uow.accounts.get_or_raise(account_id)
            account.deposit(1)
            await uow.commit()


def applied(engine: Engine, consumer: str) -> list[tuple[str, str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(AppliedRecord.message_id, AppliedRecord.account_id, AppliedRecord.balance)
            .where(AppliedRecord.consumer == consumer)
            .order_by(AppliedRecord.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def unsent(engine: Engine) -> int:
    with engine.connect() as connection:
        statement = select(func.count()).where(OutboxRecord.sent_at.is_(None))
        return int(connection.scalar(statement) or 0)


async def test_the_relay_delivers_in_order_and_marks_sent(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    await open_and_deposit(committing_database, "a1", 3)
    publisher = InProcessPublisher(committing_database, [recording(committing_database, "c1")])
    relay = OutboxRelay(committing_database, publisher)

    assert await relay.relay_once() == 4  # opened + 3 deposits (c1 reads deposits only)
    assert await relay.relay_once() == 0

    assert [balance for _, _, balance in applied(sync_engine, "c1")] == [1, 2, 3]
    assert unsent(sync_engine) == 0
    assert (await outbox_status(committing_database)).pending == 0


async def test_a_relay_killed_before_marking_loses_nothing_and_duplicates_apply_once(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    await open_and_deposit(committing_database, "a1", 2)
    publisher = InProcessPublisher(committing_database, [recording(committing_database, "c1")])
    dying = KilledBeforeMarking(committing_database, publisher, RelaySettings(lease_seconds=0))

    try:
        await dying.relay_once()
        raise AssertionError("the relay should have died")
    except Killed:
        pass
    assert unsent(sync_engine) == 3  # published, never marked
    assert len(applied(sync_engine, "c1")) == 2

    survivor = OutboxRelay(committing_database, publisher)
    assert await survivor.relay_once() == 3  # delivered again once the lease expired

    assert [balance for _, _, balance in applied(sync_engine, "c1")] == [1, 2]
    assert unsent(sync_engine) == 0


async def test_the_inbox_applies_a_message_once_per_consumer(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    event = IntegrationEvent(
        source="ledger",
        name="account.deposited",
        version=1,
        aggregate_key="a1",
        payload={"account_id": "a1", "balance": 7},
    )
    inbox = Inbox(committing_database)
    first, second = recording(committing_database, "c1"), recording(committing_database, "c2")

    assert await inbox.apply(first, event) is True
    assert await inbox.apply(first, event) is False
    assert await inbox.apply(second, event) is True

    assert len(applied(sync_engine, "c1")) == 1
    assert len(applied(sync_engine, "c2")) == 1


async def test_a_failing_handler_rolls_back_its_work_and_its_inbox_row(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    record = recording(committing_database, "c1")

    async def write_then_fail(event: IntegrationEvent) -> None:
        await record.handler(event)
        raise RuntimeError("handler broke after writing")

    failing = Subscription("audit", "c1", "account.deposited", 1, write_then_fail)
    event = IntegrationEvent(
        source="ledger",
        name="account.deposited",
        version=1,
        aggregate_key="a1",
        payload={"account_id": "a1", "balance": 1},
    )
    inbox = Inbox(committing_database)
    try:
        await inbox.apply(failing, event)
        raise AssertionError("the handler's error must surface")
    except RuntimeError:
        pass

    assert applied(sync_engine, "c1") == []
    assert await inbox.apply(record, event) is True  # not marked applied by the failure


async def test_a_failing_handler_is_retried_then_parked_and_its_key_waits(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    record = recording(committing_database, "c1")
    broken: set[str] = {"a1"}
    calls: dict[str, int] = defaultdict(int)

    async def flaky(event: IntegrationEvent) -> None:
        calls[event.aggregate_key] += 1
        if event.aggregate_key in broken:
            raise RuntimeError(f"cannot apply {event.aggregate_key}")
        await record.handler(event)

    subscription = Subscription("audit", "c1", "account.deposited", 1, flaky)
    publisher = InProcessPublisher(committing_database, [subscription], FAST)
    relay = OutboxRelay(committing_database, publisher)
    await open_and_deposit(committing_database, "a1", 2)
    await open_and_deposit(committing_database, "b1", 1)

    assert await relay.relay_once() == 5

    assert calls["a1"] == FAST.max_attempts  # the first a1 deposit, then parked
    status = await outbox_status(committing_database)
    assert (status.pending, status.parked) == (0, 2)  # the second a1 waits behind it
    parked = await parked_messages(committing_database)
    assert [(p.consumer, p.aggregate_key, p.attempts) for p in parked] == [
        ("audit.c1", "a1", 3),
        ("audit.c1", "a1", 0),
    ]
    assert "cannot apply a1" in parked[0].last_error
    assert [(a, b) for _, a, b in applied(sync_engine, "c1")] == [("b1", 1)]

    broken.clear()
    outcome = await retry_parked(committing_database, [subscription], parked[1].message_id)

    assert (outcome.applied, outcome.still_parked) == (2, 0)
    assert [(a, b) for _, a, b in applied(sync_engine, "c1")] == [("b1", 1), ("a1", 1), ("a1", 2)]
    assert (await outbox_status(committing_database)).parked == 0


async def test_a_handler_that_recovers_within_its_attempts_is_not_parked(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    record = recording(committing_database, "c1")
    failures = iter([True, True])

    async def recovers(event: IntegrationEvent) -> None:
        if next(failures, False):
            raise RuntimeError("transient")
        await record.handler(event)

    subscription = Subscription("audit", "c1", "account.deposited", 1, recovers)
    relay = OutboxRelay(
        committing_database, InProcessPublisher(committing_database, [subscription], FAST)
    )
    await open_and_deposit(committing_database, "a1", 1)

    assert await relay.relay_once() == 2
    assert [(a, b) for _, a, b in applied(sync_engine, "c1")] == [("a1", 1)]
    assert (await outbox_status(committing_database)).parked == 0


async def test_replay_applies_a_range_again_for_one_consumer(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    first, second = recording(committing_database, "c1"), recording(committing_database, "c2")
    relay = OutboxRelay(
        committing_database, InProcessPublisher(committing_database, [first, second])
    )
    await open_and_deposit(committing_database, "a1", 2)
    await relay.relay_once()
    with sync_engine.connect() as connection:
        positions = list(connection.scalars(select(OutboxRecord.position).order_by("position")))

    assert await replay(committing_database, [first], positions[0], positions[-1]) == 2

    assert [b for _, _, b in applied(sync_engine, "c1")] == [1, 2, 1, 2]
    assert [b for _, _, b in applied(sync_engine, "c2")] == [1, 2]


async def test_two_relays_deliver_every_message_once_per_handler_in_key_order(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    """Small batches and two relays racing: on PostgreSQL and MariaDB they
    claim disjoint batches (SKIP LOCKED), on SQLite their claims queue."""
    accounts = [f"k{n}" for n in range(4)]
    await asyncio.gather(*(open_and_deposit(committing_database, a, 8) for a in accounts))
    consumers = [recording(committing_database, "c1"), recording(committing_database, "c2")]
    publisher = InProcessPublisher(committing_database, consumers)
    relays = [
        OutboxRelay(committing_database, publisher, RelaySettings(batch_size=5)) for _ in "ab"
    ]
    delivered: list[int] = []

    async def drain(relay: OutboxRelay) -> None:
        idle = 0
        while idle < 3:
            count = await relay.relay_once()
            delivered.append(count)
            idle = idle + 1 if count == 0 else 0
            await asyncio.sleep(0)

    await asyncio.gather(*(drain(relay) for relay in relays))

    assert sum(delivered) == len(accounts) * 9
    assert unsent(sync_engine) == 0
    for consumer in ("c1", "c2"):
        rows = applied(sync_engine, consumer)
        assert len({message for message, _, _ in rows}) == len(rows) == len(accounts) * 8
        by_account: dict[str, list[int]] = defaultdict(list)
        for _, account, balance in rows:
            by_account[account].append(balance)
        assert by_account == {account: list(range(1, 9)) for account in accounts}


async def test_a_running_relay_delivers_a_commit_promptly_and_stops_cleanly(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    publisher = InProcessPublisher(committing_database, [recording(committing_database, "c1")])
    relay = OutboxRelay(committing_database, publisher, RelaySettings(poll_interval=30))
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.05)  # the relay is idle, waiting up to 30 s
        await open_and_deposit(committing_database, "a1", 1)
        for _ in range(200):  # woken by the commit, long before its poll interval
            if applied(sync_engine, "c1"):
                break
            await asyncio.sleep(0.05)
        assert [(a, b) for _, a, b in applied(sync_engine, "c1")] == [("a1", 1)]
    finally:
        relay.stop()
        await asyncio.wait_for(task, timeout=10)
    assert task.done()
    assert task.exception() is None


async def test_one_consumer_may_read_several_topics_through_one_inbox(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    deposits = recording(committing_database, "c1")
    openings = recording(committing_database, "c1", name="account.opened")
    consumer = [openings, deposits]
    relay = OutboxRelay(committing_database, InProcessPublisher(committing_database, consumer))
    await open_and_deposit(committing_database, "a1", 1)

    assert await relay.relay_once() == 2
    assert [b for _, _, b in applied(sync_engine, "c1")] == [0, 1]  # opened, then deposited
    with sync_engine.connect() as connection:
        positions = list(connection.scalars(select(OutboxRecord.position).order_by("position")))

    assert await replay(committing_database, consumer, positions[0], positions[-1]) == 2
    assert [b for _, _, b in applied(sync_engine, "c1")] == [0, 1, 0, 1]


class RefusingOnce:
    """A publisher (a broker, say) that refuses the first batch."""

    def __init__(self, then: InProcessPublisher) -> None:
        self.then = then
        self.refused = False

    async def publish(self, events: Sequence[IntegrationEvent]) -> None:
        if not self.refused:
            self.refused = True
            raise ConnectionError("broker unreachable")
        await self.then.publish(events)


async def test_a_batch_the_publisher_refused_is_released_for_the_next_round(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    publisher = RefusingOnce(
        InProcessPublisher(committing_database, [recording(committing_database, "c1")])
    )
    relay = OutboxRelay(committing_database, publisher)  # a 30 s lease: released, not expired
    await open_and_deposit(committing_database, "a1", 1)

    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert unsent(sync_engine) == 2

    assert await relay.relay_once() == 2
    assert [(a, b) for _, a, b in applied(sync_engine, "c1")] == [("a1", 1)]
