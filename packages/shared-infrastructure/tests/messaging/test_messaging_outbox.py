"""The transactional outbox: a change and its integration events commit
together or not at all (real commits, read back from another connection)."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest
from sqlalchemy import Engine, select

from shared_infrastructure.application.integration_events import IntegrationEvent
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.errors import IntegrityConflict
from shared_infrastructure.domain import DomainEvent
from shared_infrastructure.messaging import outbox_status
from shared_infrastructure.messaging.records import OutboxRecord

from .ledger_model import Account, AccountRecord, LedgerUnitOfWork, ledger_language, ledger_uow


def outbox(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(OutboxRecord.name, OutboxRecord.aggregate_key, OutboxRecord.body).order_by(
                OutboxRecord.position
            )
        ).all()
    return [(name, key, json.loads(body)["payload"]) for name, key, body in rows]


def accounts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(AccountRecord.id, AccountRecord.balance)).all())


async def test_the_change_and_its_integration_events_commit_together(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with ledger_uow(committing_database).writing() as uow:
        account = Account.open("a1", "ann")
        account.deposit(5)
        await uow.accounts.add(account)
        await uow.commit()

    assert accounts(sync_engine) == {"a1": 5}
    assert outbox(sync_engine) == [
        ("account.opened", "a1", {"account_id": "a1", "owner": "ann"}),
        ("account.deposited", "a1", {"account_id": "a1", "balance": 5}),
    ]
    status = await outbox_status(committing_database)
    assert (status.pending, status.parked) == (2, 0)
    assert status.oldest_pending_age_seconds is not None


async def test_a_refused_change_writes_no_integration_event(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with ledger_uow(committing_database) as uow:
        await uow.accounts.add(Account.open("a1", "ann"))
        await uow.commit()
    async with ledger_uow(committing_database) as uow:
        await uow.accounts.add(Account.open("a2", "ann"))  # owner is unique
        with pytest.raises(IntegrityConflict):
            await uow.commit()

    assert accounts(sync_engine) == {"a1": 0}
    assert [key for _, key, _ in outbox(sync_engine)] == ["a1"]


async def test_a_refused_outbox_row_undoes_the_change(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    """Two events with one id: the outbox refuses the second, and the
    aggregate's change is not committed without its events."""

    def same_id_twice(event: DomainEvent) -> Iterable[IntegrationEvent]:
        for published in ledger_language(event):
            yield published
            yield published

    async with LedgerUnitOfWork(committing_database, published_language=same_id_twice) as uow:
        await uow.accounts.add(Account.open("a1", "ann"))
        with pytest.raises(IntegrityConflict):
            await uow.commit()

    assert accounts(sync_engine) == {}
    assert outbox(sync_engine) == []


async def test_events_of_a_joined_unit_of_work_commit_with_the_scope(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with committing_database.scope(), ledger_uow(committing_database) as uow:
        await uow.accounts.add(Account.open("gone", "nobody"))
        await uow.commit()
        # the owner does not commit: neither the account nor its event stay
    async with committing_database.scope() as session:
        async with ledger_uow(committing_database) as uow:
            await uow.accounts.add(Account.open("kept", "keeper"))
            await uow.commit()
        await session.commit()

    assert accounts(sync_engine) == {"kept": 0}
    assert [key for _, key, _ in outbox(sync_engine)] == ["kept"]


async def test_without_a_published_language_nothing_is_written(
    committing_database: AsyncDatabase, sync_engine: Engine
) -> None:
    async with LedgerUnitOfWork(committing_database) as uow:
        await uow.accounts.add(Account.open("quiet", "quiet"))
        await uow.commit()
        assert [type(event).__name__ for event in uow.collect_events()] == ["AccountOpened"]

    assert accounts(sync_engine) == {"quiet": 0}
    assert outbox(sync_engine) == []
