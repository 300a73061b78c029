"""The HTTP path of the service against a hand-written endpoint, side by side.

    uv run --group bench python -m bench.http --db sqlite|postgresql

Both apps run as one uvicorn worker each, on loopback, on the same
throwaway database (a temporary SQLite file or a database created on the
local PostgreSQL server and dropped afterwards). wrk drives them in
alternating rounds (``-t1 -c32`` by default); for each operation the table
shows both throughputs and the median of the per-round ratios
``service / minimal`` next to the target. A second pair of processes,
with SQL round trips counted by engine events, answers a few requests of
each operation one at a time. Last, the memory check: 10,000 more
requests to the service must grow its resident size by less than 10 MB
and leave no connection checked out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.engine import URL

from bench.http.serve import COUNTS_PATH, HOST
from shared_infrastructure.database.types import utcnow
from shared_infrastructure.database.urls import async_url, sync_url
from shared_infrastructure.testing.throwaway import throwaway_database

LUA = Path(__file__).parent / "lua"
CONTENDERS = ("service", "minimal")
INSTALL_WRK = (
    "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu), `brew install wrk` (macOS)"
)


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    target: float
    script: str | None = None
    path: str = "/"


OPERATIONS = (
    Operation("get", "GET /products/{id}", 0.85, script="get.lua"),
    Operation("list", "GET /products?limit=20", 0.85, path="/products?limit=20"),
    Operation("post", "POST /products", 0.80, script="post.lua"),
    Operation("patch", "PATCH /products/{id} + If-Match", 0.80, script="patch.lua"),
)
RSS_GROWTH_LIMIT_MB = 10.0


@dataclass
class Config:
    db: str
    rounds: int
    duration: int
    connections: int
    products: int
    count_requests: int
    memory_requests: int
    smoke: bool
    clock: str = "wall"


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    failures: int
    cpu_seconds: float = 0.0

    @property
    def requests_per_cpu_second(self) -> float:
        """Throughput if the server had a core to itself: steady on a busy
        machine, blind to the time spent inside a database server."""
        return self.requests / self.cpu_seconds if self.cpu_seconds else 0.0


@dataclass
class Results:
    throughput: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    ratios: dict[str, list[float]] = field(default_factory=dict)
    cpu_throughput: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cpu_ratios: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[tuple[str, str], int] = field(default_factory=dict)
    round_trips: dict[tuple[str, str], float] = field(default_factory=dict)
    round_trip_detail: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    rss_growth_mb: float | None = None
    checked_out: int | None = None
    memory_failures: int = 0


# -- the database --------------------------------------------------------------
def prepare_database(url: URL, products: int) -> list[tuple[str, int]]:
    """Migrate to every head and insert ``products`` active products."""
    from api.migrations import service_migrations
    from product_catalog.infrastructure.records import ProductRecord

    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            service_migrations(connection=connection).upgrade()
        now = utcnow()
        rows = [
            {
                "id": uuid.uuid4(),
                "code": f"SEED{n:06d}",
                "name": f"Seeded product {n}",
                "description": "seeded for the HTTP benchmark",
                "price_amount": Decimal("19.99"),
                "price_currency": "EUR",
                "status": "active",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(products)
        ]
        with engine.begin() as connection:
            connection.execute(insert(ProductRecord), rows)
        return [(str(row["id"]), 1) for row in rows]
    finally:
        engine.dispose()


def current_versions(engine: Engine, ids: list[str]) -> list[tuple[str, int]]:
    """Versions once no write is landing any more: wrk stops reading when
    its time is up, but the requests it had in flight still commit."""
    from product_catalog.infrastructure.records import ProductRecord

    def read() -> dict[Any, int]:
        with engine.connect() as connection:
            statement = select(ProductRecord.id, ProductRecord.version)
            return dict(connection.execute(statement).tuples().all())

    found = read()
    while True:
        time.sleep(0.3)
        again = read()
        if again == found:
            break
        found = again
    return [(identifier, found[uuid.UUID(identifier)]) for identifier in ids]


# -- the servers ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    contender: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process, all its threads."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")


def start_server(contender: str, url: URL, workdir: Path, *, count: bool) -> Server:
    port = free_port()
    log = workdir / f"{contender}{'-count' if count else ''}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": async_url(url).render_as_string(hide_password=False),
        "BENCH_DATABASE_URL": async_url(url).render_as_string(hide_password=False),
        "APP_ENV": "prod",
    }
    command = [sys.executable, "-m", "bench.http.serve", contender, "--port", str(port)]
    if count:
        command.append("--count")
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    server = Server(contender, port, process, log)
    wait_until_ready(server)
    return server


def wait_until_ready(server: Server, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if httpx.get(f"{server.base_url}/products?limit=1", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"{server.contender} did not start:\n{server.log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def serving(url: URL, workdir: Path, *, count: bool) -> Iterator[dict[str, Server]]:
    servers: dict[str, Server] = {}
    try:
        for contender in CONTENDERS:
            servers[contender] = start_server(contender, url, workdir, count=count)
        yield servers
    finally:
        for server in servers.values():
            stop_server(server)


# -- wrk -----------------------------------------------------------------------
def run_wrk(
    server: Server, operation: Operation, duration: int, connections: int, args: list[str]
) -> WrkResult:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    if operation.script is not None:
        command += ["-s", str(LUA / operation.script)]
    command.append(server.base_url + operation.path)
    if args:
        command += ["--", *args]
    cpu_before = server.cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = parse_wrk(done.stdout)
    result.cpu_seconds = server.cpu_seconds() - cpu_before
    return result


def parse_wrk(output: str) -> WrkResult:
    rate: float | None = None
    requests = 0
    failures = 0
    for line in output.splitlines():
        words = line.split()
        if len(words) > 2 and words[1:3] == ["requests", "in"]:
            requests = int(words[0])
        elif line.startswith("Requests/sec:"):
            rate = float(words[1])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            failures += int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            failures += sum(int(word.rstrip(",")) for word in words[3::2])
    if rate is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    return WrkResult(rate, requests, failures)


def letters(number: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "BA": code prefixes made of capital letters."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord("A") + digit) + text
        if number == 0:
            return text


class Driver:
    """Runs one wrk measurement, feeding each script what it needs."""

    def __init__(self, config: Config, engine: Engine, workdir: Path, ids: list[str]) -> None:
        self.config = config
        self.engine = engine
        self.workdir = workdir
        self.ids = ids
        self.patch_ids = ids[: max(len(ids) // 2, config.connections * 8)]
        self.runs = 0
        self.ids_file = workdir / "ids.txt"
        self.ids_file.write_text("\n".join(ids) + "\n")

    def measure(self, server: Server, operation: Operation, duration: int) -> WrkResult:
        self.runs += 1
        args: list[str] = []
        if operation.name == "get":
            args = [str(self.ids_file)]
        elif operation.name == "post":
            args = ["W" + letters(self.runs)]
        elif operation.name == "patch":
            versions = current_versions(self.engine, self.patch_ids)
            versions_file = self.workdir / "versions.txt"
            versions_file.write_text("".join(f"{i} {v}\n" for i, v in versions))
            args = [str(versions_file)]
        return run_wrk(server, operation, duration, self.config.connections, args)


def measure_throughput(
    config: Config, servers: dict[str, Server], driver: Driver, results: Results
) -> None:
    warmup = 1 if config.smoke else 2
    for operation in OPERATIONS:
        for contender in CONTENDERS:
            driver.measure(servers[contender], operation, warmup)
    for round_number in range(config.rounds):
        order = CONTENDERS if round_number % 2 == 0 else CONTENDERS[::-1]
        for operation in OPERATIONS:
            rates: dict[str, float] = {}
            cpu_rates: dict[str, float] = {}
            for contender in order:
                result = driver.measure(servers[contender], operation, config.duration)
                rates[contender] = result.requests_per_second
                cpu_rates[contender] = result.requests_per_cpu_second
                key = (operation.name, contender)
                results.throughput.setdefault(key, []).append(result.requests_per_second)
                results.cpu_throughput.setdefault(key, []).append(cpu_rates[contender])
                results.failures[key] = results.failures.get(key, 0) + result.failures
            ratio = rates["service"] / rates["minimal"]
            cpu_ratio = cpu_rates["service"] / cpu_rates["minimal"]
            results.ratios.setdefault(operation.name, []).append(ratio)
            results.cpu_ratios.setdefault(operation.name, []).append(cpu_ratio)
            print(
                f"  round {round_number + 1}/{config.rounds} {operation.name:<5} "
                f"service {rates['service']:7.1f}/s  minimal {rates['minimal']:7.1f}/s  "
                f"ratio {ratio:.3f} | per CPU-second: service {cpu_rates['service']:7.1f} "
                f"minimal {cpu_rates['minimal']:7.1f} ratio {cpu_ratio:.3f}",
                flush=True,
            )


# -- round trips and memory (httpx) --------------------------------------------
def product_body(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Counted product",
        "description": "",
        "price": {"amount": "5.00", "currency": "EUR"},
    }


async def one_request(
    client: httpx.AsyncClient, operation: str, identifier: str, code: str, versions: dict[str, int]
) -> httpx.Response:
    """One request of ``operation``; PATCH sends the version last seen."""
    if operation == "get":
        return await client.get(f"/products/{identifier}")
    if operation == "list":
        return await client.get("/products", params={"limit": 20})
    if operation == "post":
        return await client.post("/products", json=product_body(code))
    response = await client.patch(
        f"/products/{identifier}",
        json={"name": f"Renamed {code}"},
        headers={"If-Match": f'"{versions[identifier]}"'},
    )
    if response.status_code == 200:
        versions[identifier] = response.json()["version"]
    return response


async def count_round_trips(
    config: Config, servers: dict[str, Server], driver: Driver, results: Results
) -> None:
    ids = driver.patch_ids
    for index, contender in enumerate(CONTENDERS):
        versions = dict(current_versions(driver.engine, ids))
        async with httpx.AsyncClient(base_url=servers[contender].base_url) as client:
            for operation in OPERATIONS:
                totals: dict[str, float] = {}
                for n in range(config.count_requests + 1):
                    code = f"RT{letters(index)}{operation.name.upper()}{n:06d}"
                    before = (await client.get(COUNTS_PATH)).json()
                    response = await one_request(
                        client, operation.name, ids[n % len(ids)], code, versions
                    )
                    after = (await client.get(COUNTS_PATH)).json()
                    if response.status_code >= 300:
                        raise RuntimeError(
                            f"{contender} {operation.name}: {response.status_code} "
                            f"{response.text[:300]}"
                        )
                    if n == 0:
                        continue  # the first one may open the pool's connection
                    for key in after:
                        totals[key] = totals.get(key, 0.0) + after[key] - before[key]
                per_request = {key: value / config.count_requests for key, value in totals.items()}
                results.round_trip_detail[(operation.name, contender)] = per_request
                results.round_trips[(operation.name, contender)] = sum(per_request.values())


async def check_memory(config: Config, server: Server, driver: Driver, results: Results) -> None:
    """``memory_requests`` requests (the four operations in turn, 8 at a
    time) after the throughput rounds warmed the process up."""
    ids = driver.patch_ids
    versions = dict(current_versions(driver.engine, ids))
    operations = [operation.name for operation in OPERATIONS]
    failures = 0

    async def worker(first: int, client: httpx.AsyncClient) -> None:
        nonlocal failures
        for n in range(first, config.memory_requests, 8):
            operation = operations[n % len(operations)]
            identifier = ids[(n // len(operations)) % len(ids)]
            response = await one_request(client, operation, identifier, f"MEM{n:07d}", versions)
            if response.status_code >= 300:
                failures += 1

    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        before = server.rss_mb()
        await asyncio.gather(*(worker(first, client) for first in range(8)))
        after = server.rss_mb()
        health = (await client.get("/health/database")).json()
    results.rss_growth_mb = after - before
    results.checked_out = health["database"]["connections"]["active"]
    results.memory_failures = failures


# -- the report ----------------------------------------------------------------
def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def report(config: Config, results: Results) -> bool:
    """Print the tables; whether every request succeeded."""
    print()
    print(
        f"HTTP path on {config.db}: {config.rounds} rounds of {config.duration}s per "
        f"contender and operation, wrk -t1 -c{config.connections}, one uvicorn worker each; "
        f"load average {load_average()}"
    )
    if config.smoke:
        print("SMOKE RUN: sizes too small for the figures to mean anything")
    print()
    print(
        "| operation | service req/s | minimal req/s | ratio | "
        "service req/CPU-s | minimal req/CPU-s | CPU ratio | target | ok |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for operation in OPERATIONS:
        service = statistics.median(results.throughput[(operation.name, "service")])
        minimal = statistics.median(results.throughput[(operation.name, "minimal")])
        ratio = statistics.median(results.ratios[operation.name])
        service_cpu = statistics.median(results.cpu_throughput[(operation.name, "service")])
        minimal_cpu = statistics.median(results.cpu_throughput[(operation.name, "minimal")])
        cpu_ratio = statistics.median(results.cpu_ratios[operation.name])
        judged = cpu_ratio if config.clock == "cpu" else ratio
        verdict = "yes" if judged >= operation.target else "NO"
        print(
            f"| {operation.label} | {service:.0f} | {minimal:.0f} | {ratio:.2f}x "
            f"| {service_cpu:.0f} | {minimal_cpu:.0f} | {cpu_ratio:.2f}x "
            f"| >= {operation.target:.2f}x | {verdict} |"
        )
    print()
    print(
        f"Ratios are medians of per-round ratios (service / minimal); the target is judged "
        f"on the {'CPU' if config.clock == 'cpu' else 'wall'} clock (--clock)."
    )
    print()
    print("SQL round trips per request (statements, BEGIN, COMMIT, ROLLBACK, pre-pings):")
    print()
    print("| operation | service | minimal | service detail |")
    print("|---|---:|---:|---|")
    for operation in OPERATIONS:
        detail = results.round_trip_detail[(operation.name, "service")]
        shown = ", ".join(f"{key} {value:g}" for key, value in detail.items() if value)
        print(
            f"| {operation.label} | {results.round_trips[(operation.name, 'service')]:g} "
            f"| {results.round_trips[(operation.name, 'minimal')]:g} | {shown} |"
        )
    print()
    growth = results.rss_growth_mb if results.rss_growth_mb is not None else float("nan")
    memory_ok = growth < RSS_GROWTH_LIMIT_MB and results.checked_out == 0
    print(
        f"Memory: {config.memory_requests} requests grew the service's RSS by {growth:.1f} MB "
        f"(limit {RSS_GROWTH_LIMIT_MB:g} MB); connections checked out afterwards: "
        f"{results.checked_out}; {'ok' if memory_ok else 'NOT OK'}"
    )
    failed = {key: count for key, count in results.failures.items() if count}
    if failed or results.memory_failures:
        print(
            f"FAILED REQUESTS (non-2xx or socket errors): {failed}, memory check: "
            f"{results.memory_failures}"
        )
        return False
    return True


# -- main ----------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    parser.add_argument("--products", type=int, default=2000, help="products seeded")
    parser.add_argument("--count-requests", type=int, default=20, help="per operation")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="judge the targets on wrk's throughput (wall) or on requests per CPU-second "
        "of the server process (cpu: steady on a busy machine)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: checks it works, measures nothing"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        return Config(args.db, 1, 1, 4, 100, 2, 200, smoke=True, clock=args.clock)
    return Config(
        args.db,
        args.rounds,
        args.duration,
        args.connections,
        args.products,
        args.count_requests,
        args.memory_requests,
        smoke=False,
        clock=args.clock,
    )


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    results = Results()
    with (
        tempfile.TemporaryDirectory(prefix="bench-http-") as directory,
        throwaway_database(config.db, Path(directory)) as url,
    ):
        workdir = Path(directory)
        print(f"preparing {config.db}: migrations, {config.products} products", flush=True)
        seeded = prepare_database(url, config.products)
        engine = create_engine(sync_url(url))
        try:
            driver = Driver(config, engine, workdir, [identifier for identifier, _ in seeded])
            with serving(url, workdir, count=False) as servers:
                measure_throughput(config, servers, driver, results)
                print("memory check", flush=True)
                asyncio.run(check_memory(config, servers["service"], driver, results))
            print("counting round trips", flush=True)
            with serving(url, workdir, count=True) as servers:
                asyncio.run(count_round_trips(config, servers, driver, results))
        finally:
            engine.dispose()
    return 0 if report(config, results) else 1
