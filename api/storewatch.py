"""Fail fast while PostgreSQL is unreachable, instead of letting requests hang in retries.

The library retries a failed insert ten times, waiting for a pooled connection each time, so
a request arriving during an outage can hang for many seconds. A probe on its own short-timeout
connection watches the server; while it is down, new requests get 503 with Retry-After at once,
and they are served again as soon as the probe sees the server back: the pools drop their broken
connections at once (rather than after their reconnect back-off), so no restart is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
from fastapi.responses import JSONResponse
from psycopg.sql import SQL, Identifier
from starlette.types import ASGIApp, Receive, Scope, Send

from projections.schema import TRACKING_TABLE

PROBE_EVERY = 0.25


class StoreWatch:
    """Probes PostgreSQL every `PROBE_EVERY` s on one kept connection (SQLite: never down).

    Each probe also reads the log's last position and the read models', which `/health`
    answers with: a health check costs no connection and no query of its own.
    """

    def __init__(
        self,
        database_url: str | None,
        on_recovery: Callable[[], None] = lambda: None,
        schema: str | None = None,
    ) -> None:
        self.url = database_url
        self.on_recovery = on_recovery
        self.up = threading.Event()
        self.up.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self.latest: tuple[int, int] | None = None  # (log position, read-model position)
        name = schema or "public"
        self.query = SQL(
            "SELECT (SELECT max(notification_id) FROM {}), "
            "(SELECT max(notification_id) FROM {} WHERE application_name = 'ledger')"
        ).format(Identifier(name, "ledger_events"), Identifier(name, TRACKING_TABLE))

    def start(self) -> None:
        if self.url is not None and self._thread is None:
            self.probe()
            self._thread = threading.Thread(target=self._watch, name="store-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._conn is not None:
            self._conn.close()

    def probe(self) -> tuple[int, int] | None:
        """The log's and the read models' positions, or None when the store can't be reached
        within a second (the connection is made again on the next probe)."""
        assert self.url is not None
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self.url, connect_timeout=1, autocommit=True)
            row = self._conn.execute(self.query).fetchone()
        except psycopg.Error:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self.up.clear()
            return None
        if not self.up.is_set():
            self.on_recovery()
            self.up.set()
        assert row is not None
        self.latest = (int(row[0] or 0), int(row[1] or 0))
        return self.latest

    def _watch(self) -> None:
        while not self._stop.wait(PROBE_EVERY):
            self.probe()


class FailFast:
    """Plain ASGI, not BaseHTTPMiddleware: that one cost every request about a millisecond."""

    def __init__(self, app: ASGIApp, watch: StoreWatch) -> None:
        self.app, self.watch = app, watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.watch.up.is_set() or scope["type"] != "http" or scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        body = {
            "code": "store_unavailable",
            "message": "The event store is not reachable; nothing was stored. Retry shortly.",
            "params": {},
        }
        answer = JSONResponse(
            status_code=503, content={"error": body}, headers={"Retry-After": "2"}
        )
        await answer(scope, receive, send)
