"""``GET /metrics``: what an operator scrapes, read back with prometheus-client's
own parser, on the database chosen with ``--db``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.observability.install import ObservabilityOptions
from api.observability.settings import ObservabilitySettings
from shared_infrastructure.database.database import AsyncDatabase

ServeApp = Any
ProductJson = Callable[..., dict[str, Any]]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


def names(text: str) -> set[str]:
    return {name for name, _ in samples(text)}


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template_method_and_status(
    serve_app: ServeApp,
) -> None:
    async with serve_app() as (_, client):
        for product_id in (uuid.uuid4(), uuid.uuid4()):
            await client.get(f"/products/{product_id}")
        await client.get("/products")
        await client.delete("/health")
        text = await scrape(client)

    count = "http_request_duration_seconds_count"
    assert value(text, count, route="/products/{product_id}", method="GET", status="404") == 2
    assert value(text, count, route="/products", method="GET", status="200") == 1
    assert value(text, count, route="/health", method="DELETE", status="405") == 1
    assert not any(
        "/products/" in str(labels) and "{" not in str(labels) for _, labels in samples(text)
    )
    assert (
        value(
            text,
            "http_request_duration_seconds_bucket",
            route="/products",
            method="GET",
            status="200",
            le="+Inf",
        )
        == 1
    )


async def test_raw_paths_and_made_up_methods_never_become_labels(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        for attempt in range(3):
            await client.get(f"/wp-admin/{attempt}.php")
        await client.request("BREW", "/products")
        text = await scrape(client)

    count = "http_request_duration_seconds_count"
    assert value(text, count, route="unmatched", method="GET", status="404") == 3
    assert value(text, count, route="/products", method="other", status="405") == 1
    assert "wp-admin" not in text
    assert "BREW" not in text


async def test_errors_are_counted_by_the_type_the_client_was_told(
    serve_app: ServeApp, product_json: ProductJson
) -> None:
    async with serve_app() as (_, client):
        await client.get(f"/products/{uuid.uuid4()}")  # not-found
        await client.get("/products/not-a-uuid")  # validation-error
        await client.post("/products", json=product_json("OBS001"))
        await client.post("/products", json=product_json("OBS001"))  # conflict
        await client.get("/probe/crash")  # an unhandled exception: internal-error
        text = await scrape(client)

    errors = "http_errors_total"
    assert value(text, errors, error_type="not-found") == 1
    assert value(text, errors, error_type="validation-error") == 1
    assert value(text, errors, error_type="conflict") == 1
    assert value(text, errors, error_type="internal-error") == 1
    assert (
        value(
            text,
            "http_request_duration_seconds_count",
            route="/probe/crash",
            method="GET",
            status="500",
        )
        == 1
    )
    created = value(
        text, "http_request_duration_seconds_count", route="/products", method="POST", status="201"
    )
    assert created == 1  # a success is not an error


async def test_requests_in_flight_counts_the_ones_being_served(
    serve_app: ServeApp, gate: Any
) -> None:
    async with serve_app() as (_, client):
        holder = asyncio.ensure_future(client.get("/probe/hold"))
        await asyncio.wait_for(gate.entered.wait(), timeout=30)
        during = await scrape(client)
        gate.release.set()
        await asyncio.wait_for(holder, timeout=30)
        after = await scrape(client)

    # The scrape itself is a request in flight.
    assert value(during, "http_requests_in_flight") == 2
    assert value(after, "http_requests_in_flight") == 1


async def test_pool_gauges_are_read_from_the_apps_pool_when_scraped(
    serve_app: ServeApp, gate: Any
) -> None:
    async with serve_app(database_pool_size=3, database_max_overflow=2) as (_, client):
        idle = await scrape(client)
        holder = asyncio.ensure_future(client.get("/probe/hold"))
        await asyncio.wait_for(gate.entered.wait(), timeout=30)
        busy = await scrape(client)
        gate.release.set()
        await asyncio.wait_for(holder, timeout=30)

    assert value(idle, "db_pool_size") == 3
    assert value(idle, "db_pool_max_overflow") == 2
    assert value(idle, "db_pool_checked_out") == 0
    assert value(idle, "db_pool_overflow") == 0
    assert value(busy, "db_pool_checked_out") == 1


async def test_a_pool_without_figures_reports_none(serve_app: ServeApp) -> None:
    """An in-memory SQLite database is one shared connection, not a pool."""
    async with serve_app(database_url="sqlite+aiosqlite://") as (_, client):
        text = await scrape(client)

    assert "db_pool_size" not in text
    assert value(text, "http_requests_in_flight") == 1


@dataclass(frozen=True)
class Status:
    pending: int
    parked: int
    oldest_pending_age_seconds: float | None


async def test_outbox_figures_are_asked_for_at_each_scrape(serve_app: ServeApp) -> None:
    answers = [Status(4, 1, 12.5), Status(0, 1, None)]
    asked: list[AsyncDatabase] = []

    async def outbox_status(database: AsyncDatabase) -> Status:
        asked.append(database)
        return answers[len(asked) - 1]

    options = ObservabilityOptions(settings=ObservabilitySettings(), outbox_status=outbox_status)
    async with serve_app(observability=options) as (app, client):
        behind = await scrape(client)
        drained = await scrape(client)
        database = app.state.composition.database

    assert asked == [database, database]
    assert value(behind, "outbox_pending_messages") == 4
    assert value(behind, "outbox_parked_messages") == 1
    assert value(behind, "outbox_oldest_pending_age_seconds") == 12.5
    assert value(drained, "outbox_pending_messages") == 0
    assert value(drained, "outbox_oldest_pending_age_seconds") == 0


async def test_a_failing_outbox_query_leaves_its_figures_out_not_the_scrape(
    serve_app: ServeApp, caplog: Any
) -> None:
    async def outbox_status(database: AsyncDatabase) -> Status:
        raise ConnectionError("database went away")

    options = ObservabilityOptions(settings=ObservabilitySettings(), outbox_status=outbox_status)
    async with serve_app(observability=options) as (_, client):
        text = await scrape(client)

    assert "outbox_pending_messages" not in text
    assert "http_requests_in_flight" in names(text)
    assert "outbox metrics unavailable" in caplog.text
    assert "ConnectionError" in caplog.text


async def test_metrics_can_be_switched_off(serve_app: ServeApp) -> None:
    options = ObservabilityOptions(settings=ObservabilitySettings(metrics_enabled=False))
    async with serve_app(observability=options) as (_, client):
        response = await client.get("/metrics")
        health = await client.get("/health")

    assert response.status_code == 404
    assert health.status_code == 200


async def test_the_metrics_route_is_not_in_the_openapi_schema(serve_app: ServeApp) -> None:
    async with serve_app() as (_, client):
        schema = (await client.get("/openapi.json")).json()
        text = await scrape(client)

    assert "/metrics" not in schema["paths"]
    count = "http_request_duration_seconds_count"
    assert value(text, count, route="/openapi.json", method="GET", status="200") == 1


async def test_two_apps_in_one_process_keep_their_own_counts(serve_app: ServeApp) -> None:
    async with serve_app() as (_, first):
        await first.get("/health")
        async with serve_app() as (_, second):
            second_text = await scrape(second)
        first_text = await scrape(first)

    count = "http_request_duration_seconds_count"
    assert value(first_text, count, route="/health", method="GET", status="200") == 1
    assert value(second_text, count, route="/health", method="GET", status="200") is None


async def test_the_outbox_reports_what_waits_for_the_relay(
    serve_app: ServeApp, product_json: ProductJson
) -> None:
    """The service's own outbox, relay off: a created product's integration
    event waits, and the scrape says so."""
    async with serve_app() as (_, client):
        empty = await scrape(client)
        created = await client.post("/products", json=product_json("OBS100"))
        waiting = await scrape(client)

    assert created.status_code == 201
    assert value(empty, "outbox_pending_messages") == 0
    assert value(empty, "outbox_oldest_pending_age_seconds") == 0
    assert value(empty, "outbox_parked_messages") == 0
    pending = value(waiting, "outbox_pending_messages")
    assert pending is not None
    assert pending >= 1
    age = value(waiting, "outbox_oldest_pending_age_seconds")
    assert age is not None
    assert age >= 0
