"""End to end: both contexts through the real app, over ASGI and over HTTP
from a real uvicorn process (started with the console script's code, on a
free port, against a database the process migrates itself)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

ServeApp = Any
ProductJson = Callable[..., dict[str, Any]]

START_SECONDS = 180.0  # generous: a busy CI machine imports slowly
STOP_SECONDS = 30.0

EVENT = {
    "id": "ev_e2e_001",
    "title": "Jazz Festival 2030",
    "description": "Annual jazz festival",
    "venue": "Parc de la Villette, Paris",
    "starts_at": "2030-07-04T18:00:00+02:00",
    "ends_at": "2030-07-06T23:00:00+02:00",
    "capacity": 3,
}


async def test_a_product_lives_its_whole_life_over_http(
    serve_app: ServeApp, product_json: ProductJson
) -> None:
    async with serve_app() as (_, client):
        created = await client.post("/products", json=product_json("PROD400", "12.50"))
        assert created.status_code == 201
        url = created.headers["location"]
        product_id = created.json()["id"]

        fetched = await client.get(url)
        assert fetched.json()["price"] == {"amount": "12.50", "currency": "EUR"}
        unchanged = await client.get(url, headers={"If-None-Match": fetched.headers["etag"]})
        assert unchanged.status_code == 304

        activated = await client.post(f"{url}/activate", headers={"If-Match": '"1"'})
        assert activated.json()["status"] == "active"
        by_code = await client.get("/products/by-code/PROD400")
        assert by_code.json()["id"] == product_id
        active = await client.get("/products", params={"status": "active"})
        assert [item["code"] for item in active.json()["items"]] == ["PROD400"]

        deleted = await client.delete(url, headers={"If-Match": activated.headers["etag"]})
        assert deleted.status_code == 204
        gone = await client.get(url)
        assert gone.status_code == 404
        reused = await client.post("/products", json=product_json("PROD400"))
        assert reused.status_code == 409  # a deleted product's code stays taken


async def test_an_event_fills_up_and_refuses_the_next_registration(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        created = await client.post("/events", json=EVENT)
        assert created.status_code == 201, created.text
        url = created.headers["location"]
        published = await client.post(f"{url}/publish", headers={"If-Match": '"1"'})
        assert published.status_code == 200
        assert published.json()["status"] == "published"

        first = await client.post(f"{url}/registrations", json={"attendee_email": "a@x.org"})
        second = await client.post(
            f"{url}/registrations", json={"attendee_email": "b@x.org", "seats": 2}
        )
        full = await client.post(f"{url}/registrations", json={"attendee_email": "c@x.org"})
        event = await client.get(url)

        assert (first.status_code, second.status_code) == (201, 201)
        assert full.status_code == 409
        assert full.json()["request_id"] == full.headers["x-request-id"]
        assert event.json()["seats_taken"] == 3
        assert event.json()["registration_count"] == 2
        listed = await client.get(f"{url}/registrations")
        assert len(listed.json()["items"]) == 2

        cancelled = await client.delete(f"{url}/registrations/{first.json()['id']}")
        assert cancelled.status_code == 204
        again = await client.post(f"{url}/registrations", json={"attendee_email": "c@x.org"})
        assert again.status_code == 201


async def test_what_one_app_committed_the_next_one_reads(
    serve_app: ServeApp, product_json: ProductJson
) -> None:
    async with serve_app() as (_, client):
        created = await client.post("/products", json=product_json("PROD401"))
    async with serve_app() as (_, client):
        fetched = await client.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json()["code"] == "PROD401"


# -- a real server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    database: URL, workdir: Path, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``python -m api serve --migrate --port <free> [extra]``; stopped (SIGINT,
    then kill) when the block ends. Bounded waits only."""
    port = free_port()
    log = workdir / f"server-{port}.log"
    env = {
        **os.environ,
        "DATABASE_URL": database.render_as_string(hide_password=False),
        "DATABASE_POOL_TIMEOUT": "10",
    }
    command = [sys.executable, "-m", "api", "serve", "--migrate", "--port", str(port), *extra]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not come up:\n{log.read_text()}")
            time.sleep(0.25)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_SECONDS)


def test_a_real_uvicorn_process_serves_both_contexts(
    fresh_database: URL, tmp_path: Path, product_json: ProductJson
) -> None:
    with (
        running_server(fresh_database, tmp_path) as (base, process),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        health = client.get("/health/database")
        schema = client.get("/openapi.json").json()
        docs = client.get("/docs")
        created = client.post("/products", json=product_json("PROD500"))
        fetched = client.get(created.headers["location"])
        event = client.post("/events", json=EVENT)
        missing = client.get("/events/ev_nowhere")

    assert process.returncode == 0  # stopped cleanly on SIGINT
    assert health.status_code == 200
    assert health.json()["status"] == "healthy"
    assert {"products", "events"} <= {tag["name"] for tag in schema["tags"]}
    assert docs.status_code == 200
    assert created.status_code == 201
    assert fetched.json()["code"] == "PROD500"
    assert event.status_code == 201
    assert missing.status_code == 404
    assert missing.json()["request_id"] == missing.headers["x-request-id"]


def test_several_workers_share_one_database(
    fresh_database: URL, tmp_path: Path, product_json: ProductJson
) -> None:
    with (
        running_server(fresh_database, tmp_path, "--workers", "2") as (base, process),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        codes = [f"WORK{number:03d}" for number in range(8)]
        created = [client.post("/products", json=product_json(code)) for code in codes]
        listing = client.get("/products", params={"limit": 50})

    assert process.returncode == 0
    assert [response.status_code for response in created] == [201] * len(codes)
    assert sorted(item["code"] for item in listing.json()["items"]) == codes
