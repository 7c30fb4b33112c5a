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

import psycopg
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

PROBE_EVERY = 0.25


class StoreWatch:
    def __init__(
        self, database_url: str | None, on_recovery: Callable[[], None] = lambda: None
    ) -> None:
        self.url = database_url
        self.on_recovery = on_recovery
        self.up = threading.Event()
        self.up.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.table = "ledger_events"

    def start(self) -> None:
        if self.url is not None and self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="store-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def probe(self) -> int | None:
        """The store's last position, or None when it can't be reached within a second."""
        assert self.url is not None
        try:
            with psycopg.connect(self.url, connect_timeout=1) as conn:
                row = conn.execute(f"SELECT max(notification_id) FROM {self.table}").fetchone()
        except psycopg.Error:
            self.up.clear()
            return None
        if not self.up.is_set():
            self.on_recovery()
            self.up.set()
        return int(row[0]) if row and row[0] is not None else 0

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
        answer = JSONResponse(status_code=503, content={"error": body}, headers={"Retry-After": "2"})  # fmt: skip
        await answer(scope, receive, send)
