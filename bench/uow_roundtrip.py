"""The domain round trip: load an aggregate, change it, commit.

``hand`` is the session code a careful engineer writes by hand for the same
result (``session.get`` with the children eagerly loaded, assign, bump the
version, commit); ``ours`` is a context's repository + unit of work over the
same records (mapping to a plain aggregate and back, change detection,
version check, event collection). Run it with::

    uv run --group bench python -m bench.uow_roundtrip --db sqlite   # or postgresql
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from shared_infrastructure.config.settings import Environment, load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.engine import create_async_db_engine
from shared_infrastructure.database.mixins import TimestampMixin, VersionMixin
from shared_infrastructure.domain import AggregateRoot, DomainEvent, Entity
from shared_infrastructure.persistence import (
    AggregateMapper,
    SqlAlchemyRepository,
    SqlAlchemyUnitOfWork,
)
from shared_infrastructure.testing.throwaway import throwaway_database


class BasketRecord(Base, TimestampMixin, VersionMixin):
    __tablename__ = "bench_baskets"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    items: Mapped[list[BasketItemRecord]] = relationship(cascade="all, delete-orphan")


class BasketItemRecord(Base):
    __tablename__ = "bench_basket_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("bench_baskets.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int]


class Item(Entity[str]):
    def __init__(self, sku: str, quantity: int) -> None:
        self.id = sku
        self.quantity = quantity


class TotalChanged(DomainEvent):
    pass


class Basket(AggregateRoot[int]):
    def __init__(self, id: int, owner: str, total: Decimal, version: int) -> None:
        super().__init__()
        self.id, self.owner, self.total, self.version = id, owner, total, version
        self.items: list[Item] = []

    def add_to_total(self, amount: Decimal) -> None:
        self.total += amount
        self.record_event(TotalChanged())


class BasketMapper(AggregateMapper[Basket, BasketRecord]):
    record_type = BasketRecord

    def to_aggregate(self, record: BasketRecord) -> Basket:
        basket = Basket(record.id, record.owner, record.total, record.version)
        basket.items = [Item(item.sku, item.quantity) for item in record.items]
        return basket

    def to_record(self, aggregate: Basket, record: BasketRecord | None = None) -> BasketRecord:
        record = record or BasketRecord(id=aggregate.id, items=[])
        record.owner, record.total = aggregate.owner, aggregate.total
        return record


class BasketRepository(SqlAlchemyRepository[Basket, int]):
    entity_name = "Basket"
    mapper = BasketMapper()
    load_options = (selectinload(BasketRecord.items),)


class BasketUnitOfWork(SqlAlchemyUnitOfWork):
    baskets: BasketRepository

    def _create_repositories(self) -> None:
        self.baskets = BasketRepository(self)


async def hand(database: AsyncDatabase, basket_id: int) -> None:
    async with database.session_factory() as session:
        record = await session.get(
            BasketRecord, basket_id, options=[selectinload(BasketRecord.items)]
        )
        assert record is not None
        record.total += Decimal("1.00")
        record.version += 1
        await session.commit()


async def ours(database: AsyncDatabase, basket_id: int) -> None:
    async with BasketUnitOfWork(database) as uow:
        basket = await uow.baskets.get_or_raise(basket_id)
        basket.add_to_total(Decimal("1.00"))
        await uow.commit()
        uow.collect_events()


async def _seed(database: AsyncDatabase, baskets: int) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    session: AsyncSession
    async with database.session_factory() as session:
        for n in range(1, baskets + 1):
            items = [BasketItemRecord(sku=f"sku-{i}", quantity=i) for i in range(5)]
            session.add(BasketRecord(id=n, owner=f"owner {n}", total=Decimal(0), items=items))
        await session.commit()


async def _sample(
    run: Callable[[AsyncDatabase, int], Awaitable[None]], database: AsyncDatabase, ids: range
) -> float:
    started = time.perf_counter()
    for basket_id in ids:
        await run(database, basket_id)
    return (time.perf_counter() - started) / len(ids) * 1e6


async def measure(db: str, rounds: int, calls: int) -> None:
    with tempfile.TemporaryDirectory() as directory, throwaway_database(db, Path(directory)) as url:
        settings = load_settings(
            database_url=url.render_as_string(hide_password=False),
            environment=Environment.TESTING,
        )
        database = AsyncDatabase(create_async_db_engine(settings))
        try:
            await _seed(database, calls)
            ids = range(1, calls + 1)
            await _sample(hand, database, ids)  # warm up both paths
            await _sample(ours, database, ids)
            ratios, hand_times, our_times = [], [], []
            for _ in range(rounds):
                hand_us = await _sample(hand, database, ids)
                ours_us = await _sample(ours, database, ids)
                hand_times.append(hand_us)
                our_times.append(ours_us)
                ratios.append(ours_us / hand_us)
        finally:
            await database.dispose()
    print(
        f"\n{db}: domain round trip (load 1 root + 5 children, change, commit), "
        f"{calls} calls x {rounds} rounds"
    )
    print("| operation | unit | hand-written | ours (repository + unit of work) | ours/hand |")
    print("|---|---|---|---|---|")
    print(
        f"| load, change, commit | us/op | {statistics.median(hand_times):,.1f} "
        f"| {statistics.median(our_times):,.1f} | {statistics.median(ratios):.3f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    asyncio.run(measure(args.db, args.rounds, args.calls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
