"""Serve one contender with uvicorn, one worker, on loopback.

    python -m bench.http.serve service|minimal --port 8101 [--count]

``service`` is the API as ``api serve`` builds it (settings from the
environment: ``DATABASE_URL``); ``minimal`` is :mod:`bench.http.minimal_app`
(``BENCH_DATABASE_URL``). With ``--count``, SQL round trips are counted
with engine events (statements, BEGIN, COMMIT, ROLLBACK, pool pre-pings)
and ``GET /__bench/round-trips`` answers the totals; throughput is never
measured in that mode, since listeners cost time.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn
from sqlalchemy import Connection, Engine, event
from starlette.types import ASGIApp, Receive, Scope, Send

COUNTS_PATH = "/__bench/round-trips"
HOST = "127.0.0.1"


class RoundTrips:
    """Messages an app's engines sent to the database, as SQLAlchemy sees them.

    A statement is one cursor execution; BEGIN is counted where the driver
    sends it on its own (asyncpg); on SQLite the service sends ``BEGIN``
    as a statement and the stock driver's implicit BEGIN is invisible.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {"statement": 0, "begin": 0, "commit": 0, "rollback": 0}
        self.counts["ping"] = 0
        self._patched: set[int] = set()

    def total(self) -> int:
        return sum(self.counts.values())

    def install(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "begin", self._begin)
        event.listen(Engine, "commit", self._bump("commit"))
        event.listen(Engine, "rollback", self._bump("rollback"))
        event.listen(Engine, "engine_connect", self._count_pings)

    def _statement(self, *_args: Any) -> None:
        self.counts["statement"] += 1

    def _begin(self, connection: Connection) -> None:
        if connection.dialect.name != "sqlite":
            self.counts["begin"] += 1

    def _bump(self, key: str) -> Any:
        def bump(*_args: Any) -> None:
            self.counts[key] += 1

        return bump

    def _count_pings(self, connection: Connection) -> None:
        dialect = connection.dialect
        if id(dialect) in self._patched:
            return
        self._patched.add(id(dialect))
        ping = dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            self.counts["ping"] += 1
            return bool(ping(dbapi_connection))

        dialect.do_ping = counted_ping  # type: ignore[method-assign]


class CountsEndpoint:
    """Answers ``COUNTS_PATH`` with the counts; everything else goes on."""

    def __init__(self, app: ASGIApp, round_trips: RoundTrips) -> None:
        self.app = app
        self.round_trips = round_trips

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == COUNTS_PATH:
            body = json.dumps(self.round_trips.counts).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def build(contender: str) -> ASGIApp:
    if contender == "service":
        from api.app import create_app_from_environment

        return create_app_from_environment()
    from bench.http.minimal_app import create_app

    return create_app()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", choices=("service", "minimal"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", action="store_true", help="count SQL round trips")
    args = parser.parse_args(argv)
    app = build(args.contender)
    if args.count:
        round_trips = RoundTrips()
        round_trips.install()
        app = CountsEndpoint(app, round_trips)
    uvicorn.run(app, host=HOST, port=args.port, workers=1, access_log=False, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
