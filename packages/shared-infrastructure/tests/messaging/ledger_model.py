"""A tiny publishing context (accounts) and a consumer's table (test-only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.mixins import VersionMixin
from shared_infrastructure.domain import AggregateRoot, DomainEvent
from shared_infrastructure.persistence import (
    AggregateMapper,
    SqlAlchemyRepository,
    SqlAlchemyUnitOfWork,
)


@dataclass(frozen=True, kw_only=True)
class AccountOpened(DomainEvent):
    account_id: str
    owner: str


@dataclass(frozen=True, kw_only=True)
class Deposited(DomainEvent):
    account_id: str
    amount: int
    balance: int


@dataclass(frozen=True, kw_only=True)
class Noted(DomainEvent):
    """A domain event the context keeps to itself."""

    account_id: str


class Account(AggregateRoot[str]):
    def __init__(self, id: str, owner: str, balance: int = 0, version: int = 0) -> None:
        super().__init__()
        self.id = id
        self.owner = owner
        self.balance = balance
        self.version = version

    @classmethod
    def open(cls, id: str, owner: str) -> Account:
        account = cls(id, owner)
        account.record_event(AccountOpened(account_id=id, owner=owner))
        return account

    def deposit(self, amount: int) -> None:
        self.balance += amount
        self.record_event(Deposited(account_id=self.id, amount=amount, balance=self.balance))
        self.record_event(Noted(account_id=self.id))


class AccountRecord(Base, VersionMixin):
    __tablename__ = "msg_accounts"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner: Mapped[str] = mapped_column(String(50), unique=True)
    balance: Mapped[int] = mapped_column(Integer)


class AppliedRecord(Base):
    """What a consumer applied, one row per application (duplicates show)."""

    __tablename__ = "msg_applied"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(50))
    message_id: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    account_id: Mapped[str] = mapped_column(String(20))
    balance: Mapped[int] = mapped_column(Integer)


class AccountMapper(AggregateMapper[Account, AccountRecord]):
    record_type = AccountRecord

    def to_aggregate(self, record: AccountRecord) -> Account:
        return Account(record.id, record.owner, record.balance, record.version)

    def to_record(self, aggregate: Account, record: AccountRecord | None = None) -> AccountRecord:
        record = record or AccountRecord(id=aggregate.id)
        record.owner = aggregate.owner
        record.balance = aggregate.balance
        return record


class AccountRepository(SqlAlchemyRepository[Account, str]):
    entity_name = "Account"
    mapper = AccountMapper()


class LedgerUnitOfWork(SqlAlchemyUnitOfWork):
    accounts: AccountRepository

    def _create_repositories(self) -> None:
        self.accounts = AccountRepository(self)


def ledger_language(event: DomainEvent) -> Iterable[IntegrationEvent]:
    """The ledger's published language (Noted stays inside)."""
    if isinstance(event, AccountOpened):
        yield IntegrationEvent(
            source="ledger",
            name="account.opened",
            version=1,
            aggregate_key=event.account_id,
            payload={"account_id": event.account_id, "owner": event.owner},
        )
    elif isinstance(event, Deposited):
        yield IntegrationEvent(
            source="ledger",
            name="account.deposited",
            version=1,
            aggregate_key=event.account_id,
            payload={"account_id": event.account_id, "balance": event.balance},
        )


def ledger_uow(database: AsyncDatabase) -> LedgerUnitOfWork:
    return LedgerUnitOfWork(database, published_language=ledger_language)


def recording(
    database: AsyncDatabase, consumer: str, name: str = "account.deposited"
) -> Subscription:
    """A consumer that writes what it applied through the inbox's scope."""

    async def handler(event: IntegrationEvent) -> None:
        session = database.session  # the inbox's scope: commits with the inbox row
        session.add(
            AppliedRecord(
                consumer=consumer,
                message_id=str(event.id),
                account_id=str(event.payload["account_id"]),
                balance=int(event.payload.get("balance", 0)),  # type: ignore[arg-type]
            )
        )
        await session.flush()

    return Subscription("audit", consumer, name, 1, handler)
