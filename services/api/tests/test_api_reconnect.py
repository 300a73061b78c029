"""A database server that drops every connection (restart, failover,
``pg_terminate_backend``) is reconnected to without restarting the service.

The server's side of the service's pooled connections is killed from an
administrative connection; the next requests must be served again, under
every pre-ping policy: at most one 503 (the request that held a dead
connection) when the connection is not pinged first.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

ServeApp = Any

ATTEMPTS = 5


def kill_server_side_connections(db_kind: str, url: URL) -> int:
    """Terminate every other session on the test database; how many died."""
    admin: Engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        with admin.connect() as connection:
            if db_kind == "postgresql":
                killed = connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": url.database},
                ).scalar_one()
                return int(killed)
            ids = connection.execute(
                text(
                    "SELECT id FROM information_schema.processlist "
                    "WHERE db = :name AND id <> CONNECTION_ID()"
                ),
                {"name": url.database},
            ).scalars()
            count = 0
            for session_id in ids:
                connection.execute(text(f"KILL {int(session_id)}"))
                count += 1
            return count
    finally:
        admin.dispose()


@pytest.fixture
def server_kind(db_kind: str) -> str:
    if db_kind == "sqlite":
        pytest.skip("an embedded database has no server to lose")
    return db_kind


# (DATABASE_POOL_PRE_PING, DATABASE_POOL_PRE_PING_IDLE, pause after the kill)
PING_EVERY_CHECKOUT = (True, 0.0, 0.0)
PING_AFTER_IDLE = (True, 0.2, 0.2)  # the default policy, after a quiet spell
PING_AFTER_IDLE_BUSY = (True, 60.0, 0.0)  # the default policy, on a busy service
NO_PING = (False, 0.0, 0.0)


@pytest.mark.parametrize(
    "policy",
    [PING_EVERY_CHECKOUT, PING_AFTER_IDLE, PING_AFTER_IDLE_BUSY, NO_PING],
    ids=["ping-every-checkout", "ping-after-idle", "ping-after-idle-busy", "no-pre-ping"],
)
async def test_the_service_reconnects_after_its_connections_were_killed(
    serve_app: ServeApp,
    server_kind: str,
    db_url: URL,
    product_json: Any,
    policy: tuple[bool, float, float],
) -> None:
    pre_ping, idle, pause = policy
    settings = {"database_pool_pre_ping": pre_ping, "database_pool_pre_ping_idle": idle}
    async with serve_app(**settings) as (app, client):
        created = await client.post("/products", json=product_json("PROD300"))
        assert created.status_code == 201
        warm = await client.get("/health/database")
        assert warm.json()["database"]["connections"]["idle"] >= 1  # pooled, then killed

        assert kill_server_side_connections(server_kind, db_url) >= 1
        await asyncio.sleep(pause)  # the pooled connections sit idle that long

        statuses = []
        for _ in range(ATTEMPTS):
            response = await client.get(created.headers["location"])
            statuses.append(response.status_code)
            if response.status_code == 200:
                break
        health = await client.get("/health/database")
        checked_out = app.state.composition.database.engine.pool.checkedout()

    assert statuses[-1] == 200, statuses
    if policy in (PING_EVERY_CHECKOUT, PING_AFTER_IDLE):
        assert statuses == [200]  # the dead connection is noticed before use
    else:
        # Used without a ping, the dead connection fails the request; the
        # pool is then invalidated as a whole, so the next request is served.
        assert statuses == [503, 200]
    assert health.status_code == 200
    assert checked_out == 0
