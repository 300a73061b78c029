"""The outbox's cost on the write path, and the relay's throughput.

1. **write path**: the catalog's create-product use case (its unit of work
   writing the product) without a published language, and with it (the same
   commit also inserts the ``product.created`` outbox row); rounds alternate,
   the ratio is the median of the per-round ratios (target: <= 1.10x).
2. **relay throughput**: ``--events`` pending outbox rows over ``--keys``
   aggregate keys, delivered through the in-process publisher to one
   consumer (each message applied in its own transaction with its inbox
   row), by one relay and then by two relays racing; events per second.

Run it with::

    uv run --group bench python -m bench.outbox --db sqlite      # or postgresql, mariadb
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert

from product_catalog.application import ProductService
from product_catalog.application.published_language import published_language
from product_catalog.infrastructure import SqlAlchemyProductCatalogUnitOfWork
from product_catalog.infrastructure.records import ProductRecord
from shared_infrastructure.application.integration_events import IntegrationEvent, Subscription
from shared_infrastructure.config.settings import Environment, load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.engine import create_async_db_engine
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.messaging import InProcessPublisher, OutboxRelay, RelaySettings
from shared_infrastructure.messaging.outbox import outbox_row
from shared_infrastructure.messaging.records import InboxRecord, OutboxRecord
from shared_infrastructure.testing.throwaway import throwaway_database


def _service(database: AsyncDatabase, *, outbox: bool) -> ProductService:
    language = published_language if outbox else None
    return ProductService(
        lambda: SqlAlchemyProductCatalogUnitOfWork(database, published_language=language)
    )


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


async def _creates(service: ProductService, prefix: str, calls: int) -> float:
    started = clock()
    for n in range(calls):
        await service.create(
            code=f"{prefix}{n:06d}", name=f"Product {n}", price_amount="9.99", price_currency="EUR"
        )
    return (clock() - started) / calls * 1e6


async def _empty(database: AsyncDatabase) -> None:
    async with database.session_factory() as session:
        for record in (ProductRecord, OutboxRecord, InboxRecord):
            await session.execute(delete(record))
        await session.commit()


async def write_path(database: AsyncDatabase, rounds: int, calls: int) -> None:
    plain, with_outbox = _service(database, outbox=False), _service(database, outbox=True)
    await _creates(plain, "WARMA", calls)
    await _creates(with_outbox, "WARMB", calls)
    plain_times: list[float] = []
    outbox_times: list[float] = []
    ratios: list[float] = []
    for round_number in range(rounds):
        await _empty(database)
        first, second = (plain, with_outbox) if round_number % 2 == 0 else (with_outbox, plain)
        times: dict[int, float] = {}
        for service in (first, second):
            letter = "A" if service is plain else "B"
            prefix = f"R{chr(65 + round_number % 26)}{letter}"
            times[id(service)] = await _creates(service, prefix, calls)
        plain_times.append(times[id(plain)])
        outbox_times.append(times[id(with_outbox)])
        ratios.append(times[id(with_outbox)] / times[id(plain)])
    print("| operation | unit | without outbox | with its outbox row | with/without |")
    print("|---|---|---|---|---|")
    print(
        f"| create product use case | us/op | {statistics.median(plain_times):,.1f} "
        f"| {statistics.median(outbox_times):,.1f} | {statistics.median(ratios):.3f} |"
    )


async def _fill_outbox(database: AsyncDatabase, events: int, keys: int) -> None:
    now = utcnow()
    rows = [
        outbox_row(
            IntegrationEvent(
                source="bench",
                name="bench.happened",
                version=1,
                aggregate_key=f"key-{n % keys}",
                payload={"n": n},
            ),
            now,
        )
        for n in range(events)
    ]
    async with database.session_factory() as session:
        await session.execute(insert(OutboxRecord), rows)
        await session.commit()


async def _drain(relays: list[OutboxRelay]) -> int:
    async def one(relay: OutboxRelay) -> int:
        delivered = idle = 0
        while idle < 2:
            count = await relay.relay_once()
            delivered += count
            idle = idle + 1 if count == 0 else 0
        return delivered

    return sum(await asyncio.gather(*(one(relay) for relay in relays)))


async def throughput(database: AsyncDatabase, events: int, keys: int, batch: int) -> None:
    async def apply(event: IntegrationEvent) -> None:
        return None

    consumer = Subscription("bench", "consumer", "bench.happened", 1, apply)
    publisher = InProcessPublisher(database, [consumer])
    print("\n| relays | events | keys | batch | seconds | events/s |")
    print("|---|---|---|---|---|---|")
    for count in (1, 2):
        await _empty(database)
        await _fill_outbox(database, events, keys)
        relays = [
            OutboxRelay(database, publisher, RelaySettings(batch_size=batch)) for _ in range(count)
        ]
        started = time.perf_counter()
        delivered = await _drain(relays)
        seconds = time.perf_counter() - started
        assert delivered == events, (delivered, events)
        print(
            f"| {count} | {events} | {keys} | {batch} | {seconds:.2f} | {events / seconds:,.0f} |"
        )


async def measure(db: str, rounds: int, calls: int, events: int, keys: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as directory, throwaway_database(db, Path(directory)) as url:
        settings = load_settings(
            database_url=url.render_as_string(hide_password=False),
            environment=Environment.TESTING,
        )
        database = AsyncDatabase(create_async_db_engine(settings))
        try:
            async with database.engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
            print(f"\n{db}: create product, {calls} calls x {rounds} rounds ({clock.__name__})")
            await write_path(database, rounds, calls)
            await throughput(database, events, keys, batch)
        finally:
            await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="write path: wall time, or this process's CPU time (steadier on a busy machine)",
    )
    args = parser.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    asyncio.run(measure(args.db, args.rounds, args.calls, args.events, args.keys, args.batch))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
