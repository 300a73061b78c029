"""Where a request's time goes inside the service: pyinstrument, in process.

    uv run --group bench python -m bench.http.profile --db sqlite [--operation get]

The service app runs in this process behind ``httpx.ASGITransport`` (no
sockets, no uvicorn: only the app's own code and the database driver are
left in the picture), on a throwaway database seeded like the benchmark's.
Each operation gets ``--requests`` requests, one at a time, under
pyinstrument; the call tree is printed, trimmed to frames above
``--min-share`` of the time.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

import httpx
from pyinstrument import Profiler

from bench.http.run import OPERATIONS, current_versions, one_request, prepare_database
from shared_infrastructure.config.settings import load_settings
from shared_infrastructure.database.urls import async_url
from shared_infrastructure.testing.throwaway import throwaway_database


async def profile(url: Any, ids: list[str], operations: list[str], requests: int) -> Profiler:
    from sqlalchemy import create_engine

    from api.app import create_app

    settings = load_settings(database_url=async_url(url).render_as_string(hide_password=False))
    app = create_app(settings)
    engine = create_engine(url)
    versions = dict(current_versions(engine, ids))
    engine.dispose()
    profiler = Profiler(async_mode="enabled")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):
        for warm in range(50):  # caches, pool
            for operation in operations:
                await one_request(client, operation, ids[warm], f"WARM{warm:06d}", versions)
        profiler.start()
        for n in range(requests):
            for operation in operations:
                identifier = ids[(n + 100) % len(ids)]
                response = await one_request(client, operation, identifier, f"PRF{n:07d}", versions)
                if response.status_code >= 300:
                    raise RuntimeError(f"{operation}: {response.status_code} {response.text}")
        profiler.stop()
    return profiler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--operation", choices=[op.name for op in OPERATIONS], action="append")
    parser.add_argument("--requests", type=int, default=500, help="per operation")
    parser.add_argument("--min-share", type=float, default=0.01, help="hide smaller frames")
    args = parser.parse_args(argv)
    operations = args.operation or [op.name for op in OPERATIONS]
    with (
        tempfile.TemporaryDirectory(prefix="bench-profile-") as directory,
        throwaway_database(args.db, Path(directory)) as url,
    ):
        ids = [identifier for identifier, _ in prepare_database(url, 1000)]
        profiler = asyncio.run(profile(url, ids, operations, args.requests))
    print(
        profiler.output_text(
            unicode=True, color=False, show_all=False, time="percent_of_total", flat=False
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
