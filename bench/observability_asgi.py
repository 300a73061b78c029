"""The same comparison as :mod:`bench.observability`, without the network.

    uv run --group bench python -m bench.observability_asgi --db sqlite|postgresql

Two apps built by ``create_app`` in one process (metrics off / on), each
request a direct ASGI call, the access log written to a file as text or as
JSON. The clock is this process's CPU time, so other processes on a busy
machine do not move the figures much: the app's own cost per request, and
the share of it the telemetry takes. Alternating rounds; the table shows
the median CPU time per request and the median of the per-round ratios
``plain / observed`` (requests per CPU-second, observed against plain).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from bench.observability import TARGET, load_average
from shared_infrastructure.database.urls import async_url
from shared_infrastructure.testing.throwaway import throwaway_database

NAMES = ("plain", "observed")


async def call(app: Any, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"content-type", b"application/json")],
        "client": (HOST, 50000),
        "server": (HOST, 8000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


HOST = "127.0.0.1"


def access_handler(log: Path) -> logging.Handler:
    from api.logging_config import RequestIdFilter

    handler = logging.FileHandler(log)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("api.access")
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


async def measure(args: argparse.Namespace, url: URL, workdir: Path) -> bool:
    from api.app import create_app
    from api.logging_config import ACCESS_FORMAT
    from api.observability.install import ObservabilityOptions
    from api.observability.logs import JsonFormatter
    from api.observability.settings import ObservabilitySettings
    from shared_infrastructure.config.settings import load_settings

    settings = load_settings(database_url=async_url(url).render_as_string(hide_password=False))
    apps = {
        name: create_app(
            settings,
            observability=ObservabilityOptions(
                settings=ObservabilitySettings(metrics_enabled=name == "observed"),
                trace_from_environment=False,
            ),
        )
        for name in NAMES
    }
    formatters = {"plain": logging.Formatter(ACCESS_FORMAT), "observed": JsonFormatter()}
    handler = access_handler(workdir / "access.log")
    body = b'{"code": "BENCH001", "name": "B", "price": {"amount": "1.00", "currency": "EUR"}}'
    cpu: dict[tuple[str, str], list[float]] = {}
    ratios: dict[str, list[float]] = {}
    async with (
        apps["plain"].router.lifespan_context(apps["plain"]),
        apps["observed"].router.lifespan_context(apps["observed"]),
    ):
        status, created = await call(apps["plain"], "POST", "/products", body)
        if status != 201:
            raise RuntimeError(f"cannot create the product: {status} {created[:300]!r}")
        product = created.split(b'"id":"', 1)[1].split(b'"', 1)[0].decode()
        paths = {"health": "/health", "get": f"/products/{product}", "list": "/products?limit=20"}
        for round_number in range(args.rounds + 1):  # round 0 warms up
            order = NAMES if round_number % 2 == 0 else NAMES[::-1]
            for operation, path in paths.items():
                per_request: dict[str, float] = {}
                for name in order:
                    handler.setFormatter(formatters[name])
                    start = time.process_time()
                    for _ in range(args.requests):
                        status, _ = await call(apps[name], "GET", path)
                        if status != 200:
                            raise RuntimeError(f"{name} {path}: {status}")
                    per_request[name] = (time.process_time() - start) / args.requests
                if round_number == 0:
                    continue
                for name in NAMES:
                    cpu.setdefault((operation, name), []).append(per_request[name])
                ratios.setdefault(operation, []).append(
                    per_request["plain"] / per_request["observed"]
                )
    print(
        f"Metrics + JSON access log, in process on {args.db}: {args.rounds} alternating "
        f"rounds of {args.requests} requests; load average {load_average()}"
    )
    print()
    print(
        "| operation | plain CPU µs/request | observed CPU µs/request | observed / plain | target |"
    )
    print("|---|---:|---:|---:|---:|")
    ok = True
    for operation, path in paths.items():
        ratio = statistics.median(ratios[operation])
        ok = ok and ratio >= TARGET
        plain = statistics.median(cpu[(operation, "plain")]) * 1e6
        observed = statistics.median(cpu[(operation, "observed")]) * 1e6
        label = path.split("?")[0].replace(product, "{id}")
        print(f"| `GET {label}` | {plain:.0f} | {observed:.0f} | {ratio:.3f}x | >= {TARGET:.2f}x |")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    parser.add_argument("--requests", type=int, default=500, help="per round and app")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-observability-asgi-"))
    try:
        with throwaway_database(args.db, workdir) as url:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "api",
                    "migrate",
                    "upgrade",
                    "--database-url",
                    url.render_as_string(hide_password=False),
                ],
                check=True,
                capture_output=True,
                cwd=workdir,
            )
            met = asyncio.run(measure(args, url, workdir))
            # Timing never fails a run (a busy machine would): the table says.
            print(f"target {'met' if met else 'NOT met'}")
            return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
