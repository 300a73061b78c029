"""Pre-ping only the pooled connections that sat idle for a while.

SQLAlchemy's ``pool_pre_ping`` tests every connection on every checkout: a
round trip per request (``BEGIN; ROLLBACK`` on asyncpg), paid to catch a
server restart that happens once a month. A connection that went back to
the pool a moment ago was alive a moment ago, so only connections idle for
``idle_seconds`` or more are pinged here: none on a busy service, the first
one after a quiet spell.

A connection killed while it was busy or idle for less than that (a
restart under load) fails its first statement instead. SQLAlchemy then
sees a disconnect, invalidates the whole pool, and the request answers
503; the next checkouts open fresh connections. So a busy service answers
503 only to the requests that were already holding a dead connection.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

IDLE_SINCE = "shared_infrastructure.idle_since"
"""``ConnectionPoolEntry.info`` key: when the connection went back to the pool."""


class DeadPooledConnection(exc.DisconnectionError):
    """An idle connection failed its ping: the pool drops it, and every
    connection older than it (the server they share probably went away),
    then checks out a fresh one."""

    invalidate_pool = True


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping connections idle for at least ``idle_seconds`` when checked out."""
    dialect = engine.dialect

    def checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    def checked_out(
        dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        since = record.info.pop(IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or back in the pool a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DeadPooledConnection(str(error)) from error
            raise
        if not alive:
            raise DeadPooledConnection("the connection did not answer its ping")

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


__all__ = ["IDLE_SINCE", "DeadPooledConnection", "ping_idle_connections"]
