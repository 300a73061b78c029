"""Ratios of the repository against hand-written SQLAlchemy and against
advanced-alchemy, measured in the same run on one database.

    uv run --group bench python -m bench --db sqlite
    uv run --group bench python -m bench --db postgresql [--rows 100000] [--api sync]

A throwaway database is created on the local server (or a SQLite file) and
dropped afterwards. Every sample runs in a fresh session (cold identity map)
on an already checked-out connection; writes are rolled back after the clock
stops. Contenders are interleaved (their order rotates every round) and the
median of the samples is reported, per operation.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import insert, select
from sqlalchemy.engine import URL

from bench import operations as ops
from bench.models import BenchUser
from shared_infrastructure.config.settings import Environment, load_settings
from shared_infrastructure.database.base import Base
from shared_infrastructure.database.engine import create_async_db_engine, create_sync_engine
from shared_infrastructure.database.sessions import (
    create_async_session_factory,
    create_sync_session_factory,
)
from shared_infrastructure.testing.throwaway import throwaway_database

CONTENDERS = ("hand", "ours", "aa")


@dataclass
class Config:
    db: str
    api: str
    rows: int
    base_rows: int
    batch_rows: int
    rounds: int
    bulk_rounds: int
    aa_bulk_rounds: int
    calls: int
    seed: int
    clock: str


@dataclass
class Result:
    """Per-round times of each contender. Ratios are the median of the
    per-round ratios: contenders of one round run back to back, so a load
    spike on the machine hits a pair rather than one side of the ratio."""

    operation: ops.Operation
    unit: str
    times: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CONTENDERS})

    def median(self, contender: str) -> float | None:
        values = self.times[contender]
        return statistics.median(values) if values else None

    def ratio(self, contender: str, other: str) -> float | None:
        mine, theirs = self.times[contender], self.times[other]
        if not mine or len(mine) != len(theirs):
            mine_median, other_median = self.median(contender), self.median(other)
            if mine_median is None or not other_median:
                return None
            return mine_median / other_median
        return statistics.median(a / b for a, b in zip(mine, theirs, strict=True))


def build_operations(config: Config, base_ids: list[int]) -> list[tuple[ops.Operation, int]]:
    """Each operation with the number of measured rounds it gets."""
    rng = random.Random(config.seed)
    calls = config.calls
    page_offsets = max(1, config.base_rows // 2 - ops.PAGE)
    batch = min(config.batch_rows, len(base_ids))
    counter = iter(range(10**9))

    def new_rows(count: int) -> list[dict[str, Any]]:
        tag = next(counter)
        return [
            {"name": f"n{tag}_{i}", "email": f"r{tag}_{i}@example.com", "is_active": i % 2 == 0}
            for i in range(count)
        ]

    def ids_sample(_round: int) -> tuple[int, Any]:
        return calls, rng.sample(base_ids, calls)

    def offsets(_round: int) -> tuple[int, Any]:
        return calls, [rng.randrange(page_offsets) for _ in range(calls)]

    def repeat(_round: int) -> tuple[int, Any]:
        return calls, calls

    def single_rows(_round: int) -> tuple[int, Any]:
        return calls, new_rows(calls)

    def bulk_rows(round_index: int) -> tuple[int, Any]:
        # the warm-up round (0) only compiles the statements: a small batch
        return 1, new_rows(config.rows if round_index else min(config.rows, 1_000))

    def batch_ids(_round: int) -> tuple[int, Any]:
        return 1, rng.sample(base_ids, batch)

    fast, bulk = config.rounds, config.bulk_rounds
    return [
        (
            ops.Operation(
                "get by id (identity-map miss)",
                ids_sample,
                (ops.hand_get, ops.hand_get_sync),
                (ops.ours_get, ops.ours_get_sync),
                (ops.aa_get, ops.aa_get_sync),
                target_hand=1.05,
            ),
            fast,
        ),
        (
            ops.Operation(
                f"filtered list, one page of {ops.PAGE}",
                offsets,
                (ops.hand_page, ops.hand_page_sync),
                (ops.ours_page, ops.ours_page_sync),
                (ops.aa_page, ops.aa_page_sync),
            ),
            fast,
        ),
        (
            ops.Operation(
                "count (filtered)",
                repeat,
                (ops.hand_count, ops.hand_count_sync),
                (ops.ours_count, ops.ours_count_sync),
                (ops.aa_count, ops.aa_count_sync),
            ),
            fast,
        ),
        (
            ops.Operation(
                "create one",
                single_rows,
                (ops.hand_create, ops.hand_create_sync),
                (ops.ours_create, ops.ours_create_sync),
                (ops.aa_create, ops.aa_create_sync),
            ),
            fast,
        ),
        (
            ops.Operation(
                f"create_many {config.rows:,} (instances + ids)",
                bulk_rows,
                (ops.hand_create_many, ops.hand_create_many_sync),
                (ops.ours_create_many, ops.ours_create_many_sync),
                (ops.aa_create_many, ops.aa_create_many_sync),
                target_hand=1.15,
                target_aa=0.5,
                aa_label="add_many",
                aa_limited=True,
                bulk=True,
            ),
            bulk,
        ),
        (
            ops.Operation(
                f"insert_many {config.rows:,} (nothing back)",
                bulk_rows,
                (ops.hand_insert_many, ops.hand_insert_many_sync),
                (ops.ours_insert_many, ops.ours_insert_many_sync),
                None,
                target_hand=1.10,
                aa_reuses="create_many",
                aa_label="add_many*",
                bulk=True,
            ),
            bulk,
        ),
        (
            ops.Operation(
                f"update_many {batch:,} rows (id IN list)",
                batch_ids,
                (ops.hand_update_many, ops.hand_update_many_sync),
                (ops.ours_update_many, ops.ours_update_many_sync),
                (ops.aa_update_many, ops.aa_update_many_sync),
                bulk=True,
            ),
            fast,
        ),
        (
            ops.Operation(
                f"delete_many {batch:,} rows (id IN list)",
                batch_ids,
                (ops.hand_delete_many, ops.hand_delete_many_sync),
                (ops.ours_delete_many, ops.ours_delete_many_sync),
                (ops.aa_delete_many, ops.aa_delete_many_sync),
                bulk=True,
            ),
            fast,
        ),
    ]


def _rotation(round_index: int, operation: ops.Operation, aa_rounds: int) -> list[str]:
    with_aa = operation.aa is not None and (not operation.aa_limited or round_index <= aa_rounds)
    present = [c for c in CONTENDERS if c != "aa" or with_aa]
    shift = round_index % len(present)
    return present[shift:] + present[:shift]


def _fn(operation: ops.Operation, contender: str, asynchronous: bool) -> Any:
    pair = {"hand": operation.hand, "ours": operation.ours, "aa": operation.aa}[contender]
    assert pair is not None
    return pair[0] if asynchronous else pair[1]


# -- database --------------------------------------------------------------------------


def _seed_base(url: URL, base_rows: int) -> list[int]:
    settings = load_settings(
        database_url=url.render_as_string(hide_password=False), environment=Environment.TESTING
    )
    engine = create_sync_engine(settings)
    try:
        Base.metadata.create_all(engine, tables=[BenchUser.__table__])  # type: ignore[list-item]
        rows = [
            {"name": f"base{i}", "email": f"base{i}@example.com", "is_active": i % 3 != 0}
            for i in range(base_rows)
        ]
        with engine.begin() as connection:
            for start in range(0, len(rows), 10_000):
                connection.execute(insert(BenchUser), rows[start : start + 10_000])
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("ANALYZE bench_users")
            return list(connection.scalars(select(BenchUser.id).order_by(BenchUser.id)))
    finally:
        engine.dispose()


CLOCKS: dict[str, Callable[[], float]] = {
    "wall": time.perf_counter,
    # CPU seconds of this process, every thread (aiosqlite's included): robust
    # when the machine is busy, blind to time spent in a database server.
    "cpu": time.process_time,
}


def _measure_sync(factory: Any, fn: Callable[..., Any], data: Any, clock: str) -> float:
    now = CLOCKS[clock]
    with factory() as session:
        session.connection()  # checkout and BEGIN outside the clock
        gc.collect()
        start = now()
        fn(session, data)
        elapsed = now() - start
        session.rollback()
    return elapsed


async def _measure_async(factory: Any, fn: Callable[..., Any], data: Any, clock: str) -> float:
    now = CLOCKS[clock]
    async with factory() as session:
        await session.connection()
        gc.collect()
        start = now()
        await fn(session, data)
        elapsed = now() - start
        await session.rollback()
    return elapsed


def _fresh(data: Any) -> Any:
    """Row dicts are copied per contender so nobody sees another's leftovers."""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [dict(row) for row in data]
    return data


async def run(config: Config, url: URL, log: Callable[[str], None]) -> list[Result]:
    settings = load_settings(
        database_url=url.render_as_string(hide_password=False),
        environment=Environment.TESTING,
        database_pool_size=2,
        database_max_overflow=0,
    )
    base_ids = _seed_base(url, config.base_rows)
    plan = build_operations(config, base_ids)
    asynchronous = config.api == "async"
    results: list[Result] = []
    if asynchronous:
        async_engine = create_async_db_engine(settings)
        factory: Any = create_async_session_factory(async_engine)
    else:
        sync_engine = create_sync_engine(settings)
        factory = create_sync_session_factory(sync_engine)
    try:
        for operation, rounds in plan:
            result = Result(operation, "ms" if operation.bulk else "us")
            scale = 1e3 if operation.bulk else 1e6
            log(f"  {operation.name}: {rounds} rounds")
            for round_index in range(rounds + 1):  # round 0 warms caches, not recorded
                calls, data = operation.prepare(round_index)
                for contender in _rotation(round_index, operation, config.aa_bulk_rounds):
                    fn = _fn(operation, contender, asynchronous)
                    if asynchronous:
                        elapsed = await _measure_async(factory, fn, _fresh(data), config.clock)
                    else:
                        elapsed = _measure_sync(factory, fn, _fresh(data), config.clock)
                    if round_index:
                        result.times[contender].append(elapsed / calls * scale)
            results.append(result)
    finally:
        if asynchronous:
            await async_engine.dispose()
        else:
            sync_engine.dispose()
    by_name = {r.operation.name.split(" ")[0]: r for r in results}
    for result in results:
        reused = result.operation.aa_reuses
        if reused and reused in by_name:
            result.times["aa"] = list(by_name[reused].times["aa"])
    return results


# -- report ----------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _verdict(ratio: float | None, target: float | None) -> str:
    if ratio is None or target is None:
        return ""
    return f" {'ok' if ratio <= target else 'MISSED'} (<= {target:g})"


def table(results: list[Result]) -> str:
    header = [
        "operation",
        "unit",
        "hand-written",
        "ours",
        "ours/hand",
        "advanced-alchemy",
        "ours/aa",
    ]
    rows: list[list[str]] = [header]
    for result in results:
        operation = result.operation
        hand, ours, aa = (result.median(c) for c in CONTENDERS)
        vs_hand = result.ratio("ours", "hand")
        vs_aa = result.ratio("ours", "aa")
        label = f" [{operation.aa_label}]" if operation.aa_label else ""
        rows.append(
            [
                operation.name,
                f"{result.unit}/op",
                _fmt(hand),
                _fmt(ours),
                (f"{vs_hand:.3f}" if vs_hand else "-") + _verdict(vs_hand, operation.target_hand),
                _fmt(aa) + label,
                (f"{vs_aa:.3f}" if vs_aa else "-") + _verdict(vs_aa, operation.target_aa),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(len(row))
        ]
        return "| " + " | ".join(cells) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(rows[0]), separator, *(line(r) for r in rows[1:])])


def _iter_notes(config: Config) -> Iterator[str]:
    yield (
        "times: medians per operation; ours/hand, ours/aa: medians of the per-round ratios "
        "(lower is better, 1.000 = same speed)."
    )
    yield (
        "* advanced-alchemy has no insert that hands nothing back; its closest call "
        "(add_many, from the create_many row) is shown."
    )
    yield (
        f"update/delete_many: advanced-alchemy is given the same {config.batch_rows:,} ids "
        "(update_many takes rows with their ids; delete_many takes ids and returns instances)."
    )


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--api", choices=("async", "sync"), default="async")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the bulk inserts")
    parser.add_argument("--base-rows", type=int, default=20_000, help="rows present to read")
    parser.add_argument(
        "--batch-rows", type=int, default=10_000, help="rows of update_many / delete_many"
    )
    parser.add_argument("--rounds", type=int, default=15, help="samples of the fast operations")
    parser.add_argument("--bulk-rounds", type=int, default=9, help="samples of bulk operations")
    parser.add_argument(
        "--aa-bulk-rounds",
        type=int,
        default=3,
        help="samples of advanced-alchemy's bulk operations (its add_many is slow)",
    )
    parser.add_argument("--calls", type=int, default=100, help="calls per fast sample")
    parser.add_argument("--seed", type=int, default=2002)
    parser.add_argument(
        "--clock",
        choices=tuple(CLOCKS),
        default="wall",
        help="wall time (default) or this process's CPU time (steadier on a busy machine)",
    )
    args = parser.parse_args(argv)
    return Config(
        db=args.db,
        api=args.api,
        rows=args.rows,
        base_rows=args.base_rows,
        batch_rows=args.batch_rows,
        rounds=args.rounds,
        bulk_rounds=args.bulk_rounds,
        aa_bulk_rounds=args.aa_bulk_rounds,
        calls=args.calls,
        seed=args.seed,
        clock=args.clock,
    )


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log(f"benchmark on {config.db} ({config.api}); throwaway database...")
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as directory,
        throwaway_database(config.db, Path(directory)) as url,
    ):
        results = asyncio.run(run(config, url, log))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\n{config.db} / {config.api} / rows={config.rows:,} base={config.base_rows:,} "
        f"batch={config.batch_rows:,} rounds={config.rounds} bulk-rounds={config.bulk_rounds} "
        f"(advanced-alchemy {min(config.aa_bulk_rounds, config.bulk_rounds)}) "
        f"calls={config.calls} clock={config.clock}\n"
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load:.2f}"
    )
    print(table(results))
    for note in _iter_notes(config):
        print(note)
    missed = [
        result.operation.name
        for result in results
        for ratio, target in (
            (_ratio(result, "hand"), result.operation.target_hand),
            (_ratio(result, "aa"), result.operation.target_aa),
        )
        if ratio is not None and target is not None and ratio > target
    ]
    print("targets: " + ("all met" if not missed else "missed by " + "; ".join(missed)))
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


def _ratio(result: Result, other: str) -> float | None:
    return result.ratio("ours", other)
