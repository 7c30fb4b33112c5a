"""A real server on a loopback port, over the test's store, and tokens to call it with."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority
from ledger.settings import LedgerSettings
from tests.clock import T0
from tests.pgcluster import free_port


class Server:
    """`ledger serve` in a subprocess; restartable to show what survives a restart."""

    def __init__(self, store: LedgerSettings) -> None:
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {**os.environ, "LEDGER_DATA_DIR": str(self.store.data_dir)}
        env.pop("LEDGER_DATABASE_URL", None)
        if self.store.database_url:
            env["LEDGER_DATABASE_URL"] = self.store.database_url
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port)]
        self.store.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.store.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
            self.log.close()


@pytest.fixture
def server(store: LedgerSettings) -> Iterator[Server]:
    running = Server(store).start()
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Caller:
    """An HTTP client with one principal's bearer token."""

    base: str
    token: str
    staff_id: str | None = None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def post(
        self, path: str, json: object = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return httpx.post(
            self.base + path,
            json=json if json is not None else {},
            headers=self._headers(headers),
            timeout=10,
        )

    def get(self, path: str, params: dict[str, object] | None = None) -> httpx.Response:
        return httpx.get(self.base + path, params=params, headers=self._headers(None), timeout=10)  # type: ignore[arg-type]


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
        callers[role.value] = Caller(base, token, str(staff_id))
    for client, scopes in (("phone", {"leads", "contacts"}), ("feed", {"read_events"})):
        token, _ = ledger.issue_token(T0, "system:test", client=client, scopes=frozenset(scopes))
        callers[client] = Caller(base, token)
    return Directory(ledger, base, callers)


@pytest.fixture
def people(store: LedgerSettings, server: Server) -> Iterator[Directory]:
    directory = build_directory(store, server.url)
    yield directory
    directory.ledger.close()
