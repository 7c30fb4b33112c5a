"""Item 2: the same commands over HTTP against a real `ledger serve` on loopback.

One `httpx.Client` (a kept-alive connection) per client thread: a bounded, closed-loop load
generator, so the figures are the latencies a caller sees, not a queue building up in front of
the server. The library baseline is measured on the same store, in the same run, just before.
Every POST returns only once the read models include it (the server's read-your-writes wait).
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx

from bench.commands import PER_REP, T0, baseline_app, library_op
from bench.results import Row
from bench.scales import Scale
from bench.stores import StoreKind
from bench.timing import Op, drive
from ledger.application import OwnershipLedger
from ledger.commands.importing import customer_id, staff_id
from ledger.enums import Role, Seniority
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.pgcluster import free_port

RATIO_TARGET = 0.50
P99_TARGET_MS = 25.0


class Server:
    """`ledger serve` in a subprocess on a free loopback port, over the given store."""

    def __init__(self, store: LedgerSettings) -> None:
        self.store, self.port = store, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = store.data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> None:
        env = {**os.environ, "LEDGER_DATA_DIR": str(self.store.data_dir)}
        env.pop("LEDGER_DATABASE_URL", None)
        if self.store.database_url:
            env["LEDGER_DATABASE_URL"] = self.store.database_url
        command = [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                httpx.get(f"{self.url}/health", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        tail = self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the server did not start within {timeout:g} s:\n{tail}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


class HttpClients:
    """The company behind the server: reps of each client's own, customers to assign and hold."""

    def __init__(self, store: LedgerSettings, server: Server, scale: Scale) -> None:
        self.ledger = led = OwnershipLedger(store)
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, UUID] = {}
        for role, seniority in ((Role.ALLOCATION_TEAM, None), (Role.SALES_REP, Seniority.SENIOR), (Role.CALLBACK, None)):  # fmt: skip
            self.ids[role.value] = led.join_staff(role.value, role, seniority, "north", "north", T0).id  # fmt: skip
            self.tokens[role.value], _ = led.issue_token(T0, "system:bench", staff_id=self.ids[role.value])  # fmt: skip
        self.most, self.url = max(scale.http_clients), server.url
        per_client = scale.http_max_ops * len(scale.http_clients)
        per_rep = math.ceil(per_client / PER_REP)
        staff = (
            {"kind": "staff", "occurred_at": T0.isoformat(), "staff_ref": f"h-{i}-{r}",
             "name": f"HTTP rep {i}.{r}", "role": "sales_rep", "seniority": "senior",
             "team": "north", "area": "north"}
            for i in range(self.most) for r in range(per_rep)
        )  # fmt: skip
        led.import_history(staff, batch=1000)
        self.reps = [
            [str(staff_id(f"h-{i}-{r}")) for r in range(per_rep)] for i in range(self.most)
        ]
        self.pool = self.most * per_client
        customers = (
            {"kind": "customer", "occurred_at": T0.isoformat(), "customer_ref": f"http-{n}",
             "name": f"Prospect {n}", "detail": "rep_prospected"}
            for n in range(self.pool + self.most)
        )  # fmt: skip
        led.import_history(customers, batch=1000)
        self.held = [customer_id(f"http-{self.pool + i}") for i in range(self.most)]
        allocator, holder = self.ids["allocation_team"], self.ids["sales_rep"]
        for cid in self.held:
            led.assign_customer(cid, holder, datetime.now(UTC), str(allocator))
        models = ReadModels(led)  # caught up before the server starts, as `ledger` commands do
        models.catch_up()
        models.close()
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        self.clients: list[httpx.Client] = []
        self.contacts: dict[int, list[str]] = {i: [] for i in range(self.most)}

    def _next(self) -> int:
        with self.lock:
            return next(self.numbers)

    def _client(self, role: str) -> httpx.Client:
        token = self.tokens[role]
        made = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
        self.clients.append(made)
        return made

    def close_clients(self) -> None:
        for made in self.clients:
            made.close()
        self.clients.clear()

    def assign(self, i: int) -> Op:
        http, reps = self._client("allocation_team"), itertools.cycle(self.reps[i])

        def op() -> bool:
            n = self._next()
            if n >= self.pool:
                return False
            path = f"/customers/{customer_id(f'http-{n}')}/assignment"
            return _post(http, path, {"staff_id": next(reps)}) is not None

        return op

    def contact(self, i: int) -> Op:
        http, path, done = self._client("sales_rep"), f"/customers/{self.held[i]}/contacts", self.contacts[i]  # fmt: skip

        def op() -> bool:
            done.append(_post(http, path, {"kind": "call", "channel": "company_phone"})["ref"])
            return True

        return op

    def health(self, i: int) -> Op:
        """The server's floor: routing, JSON and two one-row queries, no command, no wait."""
        http = self._client("callback")

        def op() -> bool:
            answer = http.get("/health")
            answer.raise_for_status()
            return True

        return op

    def callback(self, i: int) -> Op:
        http, cid = self._client("callback"), self.held[i]
        todo, self.contacts[i] = self.contacts[i], []  # each contact is called back once

        def op() -> bool:
            if not todo:
                return False
            path = f"/customers/{cid}/contacts/{todo.pop()}/callback"
            return _post(http, path, {"outcome": "confirmed"}) is not None

        return op


def _post(http: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = http.post(path, json=body)
    if answer.status_code >= 300:
        raise RuntimeError(f"{answer.status_code} {answer.text[:150]}")
    result: dict[str, Any] = answer.json()
    return result


def library_rates(store: LedgerSettings, scale: Scale) -> dict[int, float]:
    app = baseline_app(store)
    try:
        return {
            n: drive(n, library_op(app), scale.cell_seconds, scale.max_ops_per_client).per_second
            for n in scale.http_clients
        }
    finally:
        app.close()


def run(kind: StoreKind, scale: Scale, say: Callable[[str], None]) -> list[Row]:
    store = kind.fresh("http")
    say(f"item 2 · {kind.kind}: library baseline on this store")
    library = library_rates(store, scale)
    server = Server(store)
    say(f"item 2 · {kind.kind}: set-up")
    company = HttpClients(store, server, scale)
    company.ledger.close()
    out: list[Row] = []
    server.start()
    try:
        for n_clients in scale.http_clients:
            for name, make in (
                ("POST assignment", company.assign),
                ("POST contacts", company.contact),
                ("POST callback", company.callback),
            ):
                say(f"item 2 · {kind.kind} · {n_clients} clients: {name}")
                sample = drive(n_clients, make, scale.cell_seconds, scale.http_max_ops)
                company.close_clients()
                row = Row(
                    "2 HTTP", name, kind.kind, n_clients, sample.per_second, "req/s",
                    sample.p50, sample.p99, "library save", library[n_clients],
                    note=f"{sample.errors} errors: {sample.first_error}" if sample.errors else "",
                )  # fmt: skip
                ratio_ok = row.ratio is not None and row.ratio >= RATIO_TARGET and not sample.errors
                if n_clients == 8:
                    row.target = f"≥ {RATIO_TARGET:.0%} of library; p99 < {P99_TARGET_MS:.0f} ms"
                    row.met = ratio_ok and sample.p99 < P99_TARGET_MS
                else:
                    row.target = f"≥ {RATIO_TARGET:.0%} of library"
                    row.met = ratio_ok
                out.append(row)
        say(f"item 2 · {kind.kind} · 1 client: GET /health")
        floor = drive(1, company.health, scale.cell_seconds, scale.http_max_ops)
        company.close_clients()
        out.append(Row("2 HTTP", "GET /health (the server's floor, no command)", kind.kind, 1,
                       floor.per_second, "req/s", floor.p50, floor.p99, "library save", library[1]))  # fmt: skip
    finally:
        server.stop()
    return out
