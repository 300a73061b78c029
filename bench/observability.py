"""What metrics and JSON logs cost the service, measured with wrk.

    uv run --group bench python -m bench.observability --db sqlite|postgresql

Two copies of the service (``python -m api serve``, one uvicorn worker
each, on loopback, on the same throwaway database) differ only in their
environment:

- ``plain``: ``METRICS_ENABLED=false``, ``LOG_FORMAT=text`` (the access log
  as text lines);
- ``observed``: ``METRICS_ENABLED=true``, ``LOG_FORMAT=json`` (request
  metrics, pool gauges, the access log as JSON lines).

Both log at ``info`` into a file, one access line per request. wrk drives
them in alternating rounds (the copy that goes first swaps every round);
the table shows the median throughput of each and the median of the
per-round ratios ``observed / plain`` (target: >= 0.95, i.e. at most 5%).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

from shared_infrastructure.database.urls import async_url
from shared_infrastructure.testing.throwaway import throwaway_database

HOST = "127.0.0.1"
TARGET = 0.95
CONTENDERS: dict[str, dict[str, str]] = {
    "plain": {"METRICS_ENABLED": "false", "LOG_FORMAT": "text", "LOG_LEVEL": "info"},
    "observed": {"METRICS_ENABLED": "true", "LOG_FORMAT": "json", "LOG_LEVEL": "info"},
}
CLOCKS = ("per_second", "per_cpu_second")
INSTALL_WRK = "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu), `brew install wrk`"


@dataclass(frozen=True)
class Operation:
    name: str
    path: str
    why: str


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def migrate(url: URL, workdir: Path) -> None:
    command = [sys.executable, "-m", "api", "migrate", "upgrade"]
    subprocess.run(
        command,
        check=True,
        cwd=workdir,
        env={**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)},
        capture_output=True,
    )


def start(name: str, url: URL, workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"{name}.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PROMETHEUS_MULTIPROC_DIR", "OTEL_TRACES_EXPORTER")
    }
    environment.update(CONTENDERS[name])
    environment["DATABASE_URL"] = async_url(url).render_as_string(hide_password=False)
    command = [sys.executable, "-m", "api", "serve", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=environment, stdout=output, stderr=output, cwd=workdir
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def serving(url: URL, workdir: Path) -> Iterator[dict[str, Server]]:
    servers: dict[str, Server] = {}
    try:
        for name in CONTENDERS:
            servers[name] = start(name, url, workdir)
        yield servers
    finally:
        for server in servers.values():
            stop(server)


@dataclass(frozen=True)
class Measured:
    per_second: float
    """Requests answered per wall-clock second."""
    per_cpu_second: float
    """Requests answered per second of the server's CPU time: what the
    service can do with a core, steadier than wall-clock on a busy machine."""


def wrk(server: Server, operation: Operation, duration: int, connections: int) -> Measured:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    cpu_before = server.cpu_seconds()
    done = subprocess.run(
        [*command, server.base_url + operation.path], capture_output=True, text=True, check=True
    )
    cpu = server.cpu_seconds() - cpu_before
    rate: float | None = None
    requests = 0
    for line in done.stdout.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            rate = float(words[1])
        elif len(words) > 2 and words[1:3] == ["requests", "in"]:
            requests = int(words[0])
        elif "Non-2xx or 3xx responses" in line or line.strip().startswith("Socket errors"):
            raise RuntimeError(f"{server.name} {operation.name}: failed requests\n{done.stdout}")
    if rate is None:
        raise RuntimeError(f"cannot read wrk's output:\n{done.stdout}")
    return Measured(rate, requests / cpu if cpu > 0 else float("nan"))


def create_product(server: Server) -> str:
    body = {
        "code": "BENCH001",
        "name": "Benchmarked",
        "price": {"amount": "1.00", "currency": "EUR"},
    }
    response = httpx.post(f"{server.base_url}/products", json=body, timeout=30)
    response.raise_for_status()
    return str(response.json()["id"])


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(args: argparse.Namespace, url: URL, workdir: Path) -> bool:
    migrate(url, workdir)
    with serving(url, workdir) as servers:
        product = create_product(servers["plain"])
        operations = [
            Operation("health", "/health", "no database: the telemetry's share is largest"),
            Operation("get", f"/products/{product}", "one row by id"),
            Operation("list", "/products?limit=20", "a page with its total"),
        ]
        for operation in operations:  # warm-up, not recorded
            for server in servers.values():
                wrk(server, operation, 1, args.connections)
        rates: dict[tuple[str, str, str], list[float]] = {}
        ratios: dict[tuple[str, str], list[float]] = {}
        names = list(CONTENDERS)
        for round_number in range(args.rounds):
            order = names if round_number % 2 == 0 else names[::-1]
            for operation in operations:
                measured = {
                    name: wrk(servers[name], operation, args.duration, args.connections)
                    for name in order
                }
                for clock in CLOCKS:
                    plain = getattr(measured["plain"], clock)
                    observed = getattr(measured["observed"], clock)
                    rates.setdefault((operation.name, "plain", clock), []).append(plain)
                    rates.setdefault((operation.name, "observed", clock), []).append(observed)
                    ratios.setdefault((operation.name, clock), []).append(observed / plain)
                print(
                    f"  round {round_number + 1}/{args.rounds} {operation.name:<6} "
                    f"plain {measured['plain'].per_second:7.1f}/s "
                    f"({measured['plain'].per_cpu_second:7.1f}/CPU-s)  "
                    f"observed {measured['observed'].per_second:7.1f}/s "
                    f"({measured['observed'].per_cpu_second:7.1f}/CPU-s)",
                    flush=True,
                )
    print()
    print(
        f"Metrics + JSON logs on {args.db}: {args.rounds} alternating rounds of "
        f"{args.duration}s, wrk -t1 -c{args.connections}, one uvicorn worker each; "
        f"load average {load_average()}"
    )
    print()
    print(
        "| operation | plain req/s | observed req/s | ratio | plain req/CPU-s "
        "| observed req/CPU-s | CPU ratio | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ok = True
    for operation in operations:
        ratio = statistics.median(ratios[(operation.name, "per_second")])
        cpu_ratio = statistics.median(ratios[(operation.name, "per_cpu_second")])
        ok = ok and cpu_ratio >= TARGET
        figures = [
            statistics.median(rates[(operation.name, name, clock)])
            for clock in CLOCKS
            for name in ("plain", "observed")
        ]
        label = operation.path.split("?")[0].replace(product, "{id}")
        print(
            f"| `GET {label}` ({operation.why}) | {figures[0]:.0f} | {figures[1]:.0f} "
            f"| {ratio:.3f}x | {figures[2]:.0f} | {figures[3]:.0f} | {cpu_ratio:.3f}x "
            f"| >= {TARGET:.2f}x |"
        )
    print()
    print("Ratios: medians of the per-round ratios observed / plain.")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds (default 6)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-observability-"))
    try:
        with throwaway_database(args.db, workdir) as url:
            met = run(args, url, workdir)
            # Timing never fails a run (a busy machine would): the table says.
            print(f"target {'met' if met else 'NOT met'} on the CPU clock")
            return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
