"""The service as an operator runs it (``python -m api serve`` in a
subprocess, on the database chosen with ``--db``): two workers' metrics add
up in one scrape, and ``LOG_FORMAT=json`` makes every line one JSON object,
uvicorn's included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL

START_SECONDS = 120.0
STOP_SECONDS = 60.0
POOL_SIZE = 3
OURS = frozenset({"PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT", "LOG_LEVEL", "METRICS_ENABLED"})
"""Variables a test sets itself (never inherited from the developer's shell)."""


@dataclass
class Served:
    base_url: str
    stdout: Path
    stderr: Path
    process: subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_client() -> httpx.Client:
    """A new connection per request, so the kernel may hand each to any worker."""
    return httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


@contextmanager
def serve(database: URL, folder: Path, *, workers: int, env: dict[str, str]) -> Iterator[Served]:
    port = free_port()
    stdout, stderr = folder / "stdout.log", folder / "stderr.log"
    inherited = {key: value for key, value in os.environ.items() if key not in OURS}
    environ = {**inherited, "DATABASE_POOL_SIZE": str(POOL_SIZE), **env}
    command = [
        sys.executable,
        "-m",
        "api",
        "serve",
        "--migrate",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--database-url",
        database.render_as_string(hide_password=False),
    ]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=environ, cwd=folder)
    served = Served(f"http://127.0.0.1:{port}", stdout, stderr, process)
    try:
        wait_until_up(served)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + START_SECONDS
    with fresh_client() as client:
        while time.monotonic() < deadline:
            if served.process.poll() is not None:
                raise AssertionError(f"the service exited: {served.stderr.read_text()}")
            try:
                if client.get(f"{served.base_url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise AssertionError(f"the service did not answer: {served.stderr.read_text()}")


def sample(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for item in family.samples:
            if item.name == name and item.labels == labels:
                return float(item.value)
    return None


def scrape_until(client: httpx.Client, url: str, name: str, wanted: float) -> str:
    """Scrape until ``name`` reads ``wanted`` (each worker samples its pool
    once it has started), or give up."""
    deadline = time.monotonic() + START_SECONDS
    text = ""
    while time.monotonic() < deadline:
        text = client.get(f"{url}/metrics").text
        if sample(text, name) == wanted:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{name} never reached {wanted}:\n{text}")


def leave_stale_metrics(directory: Path) -> None:
    """A previous run's files, as a crashed server leaves them."""
    script = (
        "from prometheus_client import Counter\n"
        "Counter('http_errors', 'stale', ['error_type']).labels('stale_from_last_run').inc(99)\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        check=True,
        timeout=60,
    )
    assert list(directory.glob("counter_*.db"))


def test_two_workers_add_up_in_every_scrape(fresh_database: URL, tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    leave_stale_metrics(directory)
    requests = 20

    with (
        serve(
            fresh_database, tmp_path, workers=2, env={"PROMETHEUS_MULTIPROC_DIR": str(directory)}
        ) as served,
        fresh_client() as client,
    ):
        first = scrape_until(client, served.base_url, "db_pool_size", 2 * POOL_SIZE)
        statuses = {client.get(f"{served.base_url}/products").status_code for _ in range(requests)}
        scrapes = [client.get(f"{served.base_url}/metrics").text for _ in range(6)]

    assert statuses == {200}
    # Checked out: whatever the outbox relays of the two workers hold right now.
    checked_out = sample(first, "db_pool_checked_out")
    assert checked_out is not None
    assert 0 <= checked_out <= 2 * POOL_SIZE
    for text in scrapes:
        # Whichever worker answers, it reports both workers' requests and pools.
        count = sample(
            text,
            "http_request_duration_seconds_count",
            route="/products",
            method="GET",
            status="200",
        )
        assert count == requests
        assert sample(text, "db_pool_size") == 2 * POOL_SIZE
        assert "stale_from_last_run" not in text
    # Stopped workers take their live gauges (in flight, pool) with them.
    assert not list(directory.glob("gauge_live*.db"))


def json_lines(path: Path) -> list[dict[str, object]]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not one JSON object: {line!r}") from None
    return parsed


def test_json_logs_are_one_object_a_line_uvicorns_included(
    fresh_database: URL, tmp_path: Path
) -> None:
    with (
        serve(
            fresh_database, tmp_path, workers=1, env={"LOG_FORMAT": "json", "LOG_LEVEL": "info"}
        ) as served,
        fresh_client() as client,
    ):
        found = client.get(f"{served.base_url}/products", headers={"X-Request-ID": "find-me-1"})
        missing = client.get(f"{served.base_url}/products/00000000-0000-0000-0000-000000000000")

    records = json_lines(served.stdout) + json_lines(served.stderr)
    assert found.status_code == 200
    assert missing.status_code == 404
    for record in records:
        assert {"timestamp", "level", "logger", "message", "request_id"} <= set(record), record
    loggers = {record["logger"] for record in records}
    assert {"uvicorn.error", "api.access", "alembic.runtime.migration"} <= loggers
    (access,) = [
        r for r in records if r["logger"] == "api.access" and r["request_id"] == "find-me-1"
    ]
    assert access["method"] == "GET"
    assert access["route"] == "/products"
    assert access["status"] == 200
    assert isinstance(access["duration_ms"], float)
    (not_found,) = [r for r in records if r["logger"] == "api.access" and r.get("status") == 404]
    assert not_found["route"] == "/products/{product_id}"
    assert not_found["request_id"] == missing.headers["x-request-id"]
    assert not any(record["logger"] == "uvicorn.access" for record in records)


def test_text_logs_stay_the_default(fresh_database: URL, tmp_path: Path) -> None:
    with serve(fresh_database, tmp_path, workers=1, env={}) as served, fresh_client() as client:
        client.get(f"{served.base_url}/products", headers={"X-Request-ID": "find-me-2"})

    access = [line for line in served.stdout.read_text().splitlines() if "find-me-2" in line]
    assert len(access) == 1
    assert '"GET /products HTTP/1.1" 200' in access[0]
    assert not access[0].startswith("{")
