"""A real server on a loopback port, over the test's store, and tokens to call it with.

Most tests get uvicorn serving the app from a thread of the test process (`LiveServer`): a real
HTTP server on a real socket, started in a fraction of a second. Tests of what survives a killed
or restarted process get `ledger serve` in a subprocess (`Server`), as a user runs it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority
from ledger.settings import LedgerSettings
from tests.clock import T0
from tests.pgcluster import free_port

# One client for every caller: `httpx.post` builds a client, and its TLS context, per request
# (about 50 ms); a shared one keeps connections alive too. httpx clients are thread-safe.
HTTP = httpx.Client(timeout=10)
# No keep-alive: each request opens its own connection, so the kernel hands it to any worker.
NEW_CONNECTION = httpx.Client(timeout=20, limits=httpx.Limits(max_keepalive_connections=0))


class Server:
    """`ledger serve` in a subprocess (its own process group: the supervisor, N workers and
    the projector); restartable to show what survives a restart."""

    def __init__(
        self, store: LedgerSettings, workers: int = 2, projector: bool = True, port: int = 0
    ) -> None:
        self.store = store
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.projector = workers, projector
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        if not self.projector:
            command.append("--no-projector")
        self.process = spawn(self.store, command, f"server-{self.port}")
        deadline = time.monotonic() + 60
        seen: set[int] = set()  # every worker answers before a test begins
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                seen.add(NEW_CONNECTION.get(f"{self.url}/health", timeout=1).json()["worker"])
            except httpx.TransportError:
                time.sleep(0.05)
            if len(seen) == self.workers:
                return self
        raise RuntimeError(f"the server did not start: see {self.store.data_dir}")

    def kill(self) -> None:
        """SIGKILL to every process of the server at once, as a machine crash would."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None


def spawn(store: LedgerSettings, command: list[str], log: str) -> subprocess.Popen[bytes]:
    """A `ledger` command over the test's store, in its own process group, logging to a file."""
    env = {**os.environ, "LEDGER_DATA_DIR": str(store.data_dir)}
    env.pop("LEDGER_DATABASE_URL", None)
    if store.database_url:
        env["LEDGER_DATABASE_URL"] = store.database_url
    store.data_dir.mkdir(parents=True, exist_ok=True)
    with open(store.data_dir / f"{log}.log", "ab") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


class LiveServer:
    """The API served by uvicorn in a thread; `stop` shuts it down and closes its stores."""

    def __init__(self, store: LedgerSettings) -> None:
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._app: Any = None

    def start(self) -> LiveServer:
        from api.main import create_app

        self._app = create_app(self.store)
        config = uvicorn.Config(self._app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="live-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        state = self._app.state
        state.store_watch.stop()
        state.read_models.close()
        state.ledger.close()
        self._server = self._thread = self._app = None


@pytest.fixture
def server(store: LedgerSettings) -> Iterator[LiveServer]:
    running = LiveServer(store)
    yield running.start()
    running.stop()


@pytest.fixture
def process_server(store: LedgerSettings) -> Iterator[Server]:
    """`ledger serve` as its own process: for tests that kill it."""
    running = Server(store)
    yield running.start()
    running.stop()


@dataclass
class Caller:
    """An HTTP client with one principal's bearer token.

    With `head` (the store's last position), every GET asks to read everything written so far,
    by this test's HTTP calls or directly through the ledger: the position contract a client
    uses to read its own writes on any worker.
    """

    base: str
    token: str
    staff_id: str | None = None
    head: Callable[[], int] | None = None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def post(
        self, path: str, json: object = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return HTTP.post(
            self.base + path, json=json if json is not None else {}, headers=self._headers(headers)
        )

    def get(self, path: str, params: dict[str, object] | None = None) -> httpx.Response:
        wait = {"Ledger-Min-Position": str(self.head())} if self.head else None
        return HTTP.get(self.base + path, params=params, headers=self._headers(wait))  # type: ignore[arg-type]


@dataclass
class Directory:
    """One staff member (and token) per role, plus integration clients, hired at T0."""

    ledger: OwnershipLedger
    base: str
    callers: dict[str, Caller]

    def __getitem__(self, name: str) -> Caller:
        return self.callers[name]


SENIORITY = {Role.SALES_REP: Seniority.SENIOR}


def build_directory(store: LedgerSettings, base: str) -> Directory:
    ledger = OwnershipLedger(store)
    callers: dict[str, Caller] = {}
    for role in Role:
        staff_id = ledger.join_staff(role.value, role, SENIORITY.get(role), "north", "north", T0).id
        token, _ = ledger.issue_token(T0, "system:test", staff_id=staff_id)
        callers[role.value] = Caller(base, token, str(staff_id), ledger.event_count)
    for client, scopes in (("phone", {"leads", "contacts"}), ("feed", {"read_events"})):
        token, _ = ledger.issue_token(T0, "system:test", client=client, scopes=frozenset(scopes))
        callers[client] = Caller(base, token, head=ledger.event_count)
    return Directory(ledger, base, callers)


@pytest.fixture
def people(store: LedgerSettings, server: LiveServer) -> Iterator[Directory]:
    directory = build_directory(store, server.url)
    yield directory
    directory.ledger.close()


def refused_within(call: Callable[[], httpx.Response], seconds: float = 1.0) -> float:
    """How long until `call` answers 401: each worker remembers a token's principal for at
    most half a second, so a revoked token (or a departed person's) stops within a second."""
    began = time.monotonic()
    while True:
        answer = call()
        waited = time.monotonic() - began
        if answer.status_code == 401:
            return waited
        assert waited < seconds, f"still {answer.status_code} after {waited:.2f} s"
        time.sleep(0.02)


class LeadLoad:
    """Writer threads posting phone leads, each on connections of its own, until stopped:
    which leads were acknowledged, and by which worker."""

    def __init__(
        self, url: str, token: str, writers: int = 4, through_errors: bool = False
    ) -> None:
        self.url, self.token, self.through_errors = url, token, through_errors
        self.acknowledged: list[str] = []
        self.workers: Counter[str] = Counter()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write, args=(w,)) for w in range(writers)]
        for thread in self._threads:
            thread.start()

    def _write(self, writer: int) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            try:
                answer = NEW_CONNECTION.post(
                    f"{self.url}/leads",
                    json={"name": f"w{writer}-{n}", "channel": "hotline-1"},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
            except httpx.TransportError:  # cut off: this request was never acknowledged
                if self.through_errors:
                    continue  # other workers still serve
                return
            if answer.status_code == 201:
                self.acknowledged.append(answer.json()["id"])
                self.workers[answer.headers["Ledger-Worker"]] += 1

    def until(self, acknowledged: int, workers: int = 1) -> None:
        while len(self.acknowledged) < acknowledged or len(self.workers) < workers:
            time.sleep(0.01)

    def stop(self) -> list[str]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.acknowledged


def assert_placed(store: LedgerSettings, leads: list[str]) -> None:
    """Every lead is in the store with a holder, on both sides of the one save."""
    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    try:
        for customer_id in leads:
            customer = check.customer(customer_id)
            assert customer.holder is not None
            assert customer_id in check.staff(customer.holder).book
    finally:
        check.close()
