"""What one more registration costs: the first of an event against the ~1,000th.

Three contenders register one attendee, each on an event with no
registration yet and on one that already holds about a thousand:

- ``ours``: ``EventService.register_attendee`` over the events context's
  unit of work (lock the event row, look the attendee up, insert one row,
  update the event's counters under the version check);
- ``hand``: the same statements written by hand on a session;
- ``whole``: the design this replaced, by hand: the event is loaded with
  every registration (``selectinload``) under the row lock, the capacity is
  checked against their sum, then one row is inserted. It shows what the
  bounded aggregate avoids.

Each round registers once per contender on a fresh empty event and once on
its full event, back to back, so a load spike on the machine hits a pair
rather than one side of a ratio; the tables show medians over the rounds.
Run it with::

    uv run --group bench python -m bench.registration_cost --db sqlite   # or postgresql, mariadb
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.application import CreateEvent, EventService
from events.infrastructure import EventRecord, RegistrationRecord, SqlAlchemyEventsUnitOfWork
from shared_infrastructure.config.settings import Environment, load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.database import AsyncDatabase
from shared_infrastructure.database.engine import create_async_db_engine
from shared_infrastructure.persistence.locking import write_lock_preamble
from shared_infrastructure.testing.throwaway import throwaway_database

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 7, 1, 20, 0, tzinfo=UTC)
CONTENDERS = ("ours", "hand", "whole")

Register = Callable[[AsyncDatabase, EventService, str, str], Awaitable[None]]


async def ours(database: AsyncDatabase, service: EventService, event_id: str, email: str) -> None:
    await service.register_attendee(event_id, email)


async def _locked_event(session: AsyncSession, event_id: str) -> EventRecord:
    # SQLite has no row locks: take the database write lock first, as the
    # repository does (a no-op UPDATE); None on the servers.
    preamble = write_lock_preamble(session.get_bind().dialect.name, Base.metadata.tables["events"])
    if preamble is not None:
        await session.execute(preamble)
    return (
        await session.scalars(
            select(EventRecord).where(EventRecord.id == event_id).with_for_update()
        )
    ).one()


def _registration(event_id: str, email: str, seats: int) -> RegistrationRecord:
    return RegistrationRecord(
        id=f"reg_{uuid.uuid4().hex}",
        event_id=event_id,
        attendee_email=email,
        seats=seats,
        status="confirmed",
        registered_at=NOW,
    )


async def hand(database: AsyncDatabase, service: EventService, event_id: str, email: str) -> None:
    async with database.session_factory() as session:
        event = await _locked_event(session, event_id)
        taken = await session.scalar(
            select(RegistrationRecord.id).where(
                RegistrationRecord.event_id == event_id, RegistrationRecord.attendee_email == email
            )
        )
        if taken is not None or event.seats_taken + 1 > event.capacity:
            raise RuntimeError("refused")
        session.add(_registration(event_id, email, 1))
        event.seats_taken += 1
        event.registration_count += 1
        event.version += 1
        await session.commit()


async def whole(database: AsyncDatabase, service: EventService, event_id: str, email: str) -> None:
    async with database.session_factory() as session:
        event = await _locked_event(session, event_id)
        registrations = (
            await session.scalars(
                select(RegistrationRecord).where(RegistrationRecord.event_id == event_id)
            )
        ).all()
        confirmed = [r for r in registrations if r.status == "confirmed"]
        if any(r.attendee_email == email for r in registrations) or (
            sum(r.seats for r in confirmed) + 1 > event.capacity
        ):
            raise RuntimeError("refused")
        session.add(_registration(event_id, email, 1))
        event.seats_taken = sum(r.seats for r in confirmed) + 1
        event.registration_count = len(confirmed) + 1
        event.version += 1
        await session.commit()


REGISTER: dict[str, Register] = {"ours": ours, "hand": hand, "whole": whole}


async def _new_event(service: EventService, event_id: str, capacity: int) -> None:
    await service.create_event(
        CreateEvent(
            id=event_id,
            title="Bench night",
            starts_at=START,
            ends_at=START + timedelta(hours=3),
            capacity=capacity,
        )
    )
    await service.publish(event_id)


async def _timed(
    register: Register, database: AsyncDatabase, service: EventService, event_id: str, email: str
) -> float:
    started = time.perf_counter()
    await register(database, service, event_id, email)
    return (time.perf_counter() - started) * 1e3


async def measure(db: str, rounds: int, filled: int) -> None:
    with tempfile.TemporaryDirectory() as directory, throwaway_database(db, Path(directory)) as url:
        settings = load_settings(
            database_url=url.render_as_string(hide_password=False),
            environment=Environment.TESTING,
        )
        database = AsyncDatabase(create_async_db_engine(settings))
        service = EventService(lambda: SqlAlchemyEventsUnitOfWork(database), lambda: NOW)
        try:
            async with database.engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
            capacity = filled + rounds + 10
            for contender in CONTENDERS:
                await _new_event(service, f"ev_full_{contender}", capacity)
                for n in range(filled):
                    await service.register_attendee(f"ev_full_{contender}", f"pre{n}@example.org")
            first: dict[str, list[float]] = {c: [] for c in CONTENDERS}
            later: dict[str, list[float]] = {c: [] for c in CONTENDERS}
            for round_ in range(-1, rounds):  # round -1 warms the caches up
                for contender in CONTENDERS:
                    empty = f"ev_{contender}_{round_ + 1}"
                    await _new_event(service, empty, capacity)
                    register = REGISTER[contender]
                    email = f"r{round_ + 1}@example.org"
                    early = await _timed(register, database, service, empty, email)
                    late = await _timed(register, database, service, f"ev_full_{contender}", email)
                    if round_ >= 0:
                        first[contender].append(early)
                        later[contender].append(late)
            async with database.session_factory() as session:
                counts = {
                    contender: await session.scalar(
                        select(func.count()).where(
                            RegistrationRecord.event_id == f"ev_full_{contender}"
                        )
                    )
                    for contender in CONTENDERS
                }
        finally:
            await database.dispose()

    print(
        f"\n{db}: one registration on an empty event vs on one holding {filled:,} "
        f"(ending at {min(int(c or 0) for c in counts.values()):,}), {rounds} rounds, median ms"
    )
    print("| contender | 1st registration | ~1,000th registration | 1,000th / 1st |")
    print("|---|---|---|---|")
    labels = {
        "ours": "ours (EventService, counters)",
        "hand": "hand-written, counters",
        "whole": "hand-written, whole aggregate (before)",
    }
    for contender in CONTENDERS:
        ratios = [
            late / early for early, late in zip(first[contender], later[contender], strict=True)
        ]
        print(
            f"| {labels[contender]} | {statistics.median(first[contender]):.2f} "
            f"| {statistics.median(later[contender]):.2f} | {statistics.median(ratios):.2f} |"
        )
    over_hand = [o / h for o, h in zip(later["ours"], later["hand"], strict=True)]
    print(f"\nours / hand-written at the ~1,000th registration: {statistics.median(over_hand):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--filled", type=int, default=999, help="registrations already held")
    args = parser.parse_args(argv)
    asyncio.run(measure(args.db, args.rounds, args.filled))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
