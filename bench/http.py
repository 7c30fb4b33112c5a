"""Item 2: the same commands over HTTP against a real `ledger serve` on loopback.

The server runs as in production: one worker process per core and the projector in its own
process. One `httpx.Client` (a kept-alive connection) per client thread: a bounded, closed-loop
load generator, so the figures are the latencies a caller sees, not a queue building up in
front of the server. The library baseline is measured on the same store, in the same run, just
before. A POST returns once recorded; a read given the write's position waits for it.
`GET /health` is driven by `wrk` (C, many connections) when it is installed, because Python
client threads cannot ask fast enough; its baseline is a bare FastAPI route served the same way.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx

from bench.commands import PER_REP, T0, baseline_app, library_op
from bench.results import Row
from bench.scales import Scale
from bench.stores import StoreKind
from bench.timing import Op, Sample, drive
from ledger.application import OwnershipLedger
from ledger.commands.importing import customer_id, staff_id
from ledger.enums import Role, Seniority
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.pgcluster import free_port

RATIO_TARGET_ONE = 0.50  # one client: HTTP against the library's own loop
RATIO_TARGET_MANY = 1.0  # 8 and 32 clients: N workers against the library's one process
P99_TARGET_MS = 25.0
HEALTH_TARGET = 2_000.0  # req/s
READ_EXTRA_TARGET_MS = 2.0
WORKERS = os.cpu_count() or 1


class Server:
    """`ledger serve --workers N` (and its projector) in a subprocess group on a free port.

    `command` replaces `ledger serve` (the bare baseline app is served by uvicorn directly).
    """

    def __init__(self, store: LedgerSettings, command: list[str] | None = None) -> None:
        self.store, self.port = store, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = store.data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.command = command or [
            sys.executable,
            "-m",
            "cli.main",
            "serve",
            "--workers",
            str(WORKERS),
        ]

    def start(self, timeout: float = 120) -> None:
        env = {**os.environ, "LEDGER_DATA_DIR": str(self.store.data_dir)}
        env.pop("LEDGER_DATABASE_URL", None)
        if self.store.database_url:
            env["LEDGER_DATABASE_URL"] = self.store.database_url
        command = [*self.command, "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
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
            os.killpg(self.process.pid, signal.SIGTERM)
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
        self.most, self.urls = max(scale.http_clients), [server.url]
        self.assigned: list[tuple[UUID, str]] = []  # every acknowledged assignment
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
            for n in range(self.pool + self.most + scale.http_max_ops)
        )  # fmt: skip
        led.import_history(customers, batch=1000)
        self.held = [customer_id(f"http-{self.pool + i}") for i in range(self.most)]
        first = self.pool + self.most  # customers a read-after-write pair assigns, one each
        self.readers = [customer_id(f"http-{first + n}") for n in range(scale.http_max_ops)]
        allocator, holder = self.ids["allocation_team"], self.ids["sales_rep"]
        # The read-after-write pairs give one rep more customers than the default cap allows.
        led.adopt_policy({"max_customers_per_rep": 1_000_000}, T0, "bench", T0, str(allocator))
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

    def _client(self, role: str, i: int = 0) -> httpx.Client:
        """Client `i` talks to server `i` modulo how many there are (one, or two on one store)."""
        token, url = self.tokens[role], self.urls[i % len(self.urls)]
        made = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.clients.append(made)
        return made

    def close_clients(self) -> None:
        for made in self.clients:
            made.close()
        self.clients.clear()

    def assign(self, i: int) -> Op:
        http, reps = self._client("allocation_team", i), itertools.cycle(self.reps[i])

        def op() -> bool:
            n = self._next()
            if n >= self.pool:
                return False
            customer, rep = customer_id(f"http-{n}"), next(reps)
            _post(http, f"/customers/{customer}/assignment", {"staff_id": rep})
            self.assigned.append((customer, rep))
            return True

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


@dataclass(frozen=True)
class WrkResult:
    per_second: float
    p50: float  # ms
    p99: float  # ms
    errors: int


def wrk(url: str, seconds: float, connections: int = 64) -> WrkResult:
    """`wrk` against one URL: throughput and its latency percentiles; without `wrk`, eight
    Python client threads (which measure the client more than the server)."""
    binary = shutil.which("wrk")
    if binary is None:
        return python_load(url, seconds)
    duration = f"{max(1, round(seconds))}s"
    command = [binary, "-t", str(WORKERS), "-c", str(connections), "-d", duration, "--latency"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def number(pattern: str) -> str:
        found = re.search(pattern, out)
        if found is None:
            raise RuntimeError(f"wrk printed no {pattern!r}:\n{out}")
        return found.group(1)

    def percentile(label: str) -> float:
        value, unit = number(rf"\s{label}%\s+([\d.]+(?:us|ms|s))"), ""
        for suffix in ("us", "ms", "s"):
            if value.endswith(suffix):
                value, unit = value[: -len(suffix)], suffix
                break
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses:|timeout) (\d+)", out))
    return WrkResult(
        float(number(r"Requests/sec:\s+([\d.]+)")), percentile("50"), percentile("99"), errors
    )


def python_load(url: str, seconds: float, clients: int = 8) -> WrkResult:
    def make(_: int) -> Op:
        http = httpx.Client(timeout=10)

        def op() -> bool:
            http.get(url).raise_for_status()
            return True

        return op

    sample = drive(clients, make, seconds, 10**9)
    return WrkResult(sample.per_second, sample.p50, sample.p99, sample.errors)


def health_rows(
    kind: StoreKind, store: LedgerSettings, server: Server, scale: Scale, say: Callable[[str], None]
) -> list[Row]:
    """`GET /health` with the workers against the bare FastAPI route with the same workers."""
    bare = Server(
        store,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare:app",
            "--workers",
            str(WORKERS),
            "--no-access-log",
        ],
    )
    bare.start()
    try:
        say(f"item 2 · {kind.kind}: GET /health of a bare FastAPI app (baseline)")
        floor = wrk(f"{bare.url}/health", scale.cell_seconds * 2)
    finally:
        bare.stop()
    say(f"item 2 · {kind.kind}: GET /health with {WORKERS} workers")
    ours = wrk(f"{server.url}/health", scale.cell_seconds * 2)
    how = "wrk, 64 connections" if shutil.which("wrk") else "8 Python clients: wrk not installed"
    p50, p99 = ours.p50, ours.p99
    return [
        Row(
            "2 HTTP", f"GET /health ({WORKERS} workers, {how})", kind.kind, None,
            ours.per_second, "req/s", p50, p99, f"bare FastAPI route, {WORKERS} workers",
            floor.per_second, target=f"≥ {HEALTH_TARGET:,.0f} req/s",
            met=ours.per_second >= HEALTH_TARGET and not ours.errors,
            note=f"{ours.errors} errors" if ours.errors else "",
        )
    ]  # fmt: skip


def read_rows(kind: StoreKind, company: HttpClients, scale: Scale) -> list[Row]:
    """A read right after a write, given the write's position, against the same read without.

    One client, sequential: each pair assigns a fresh customer (untimed) and then reads its
    holder with the write's position (timed), so the wait for the projector is in the figure.
    """
    http = company._client("allocation_team")
    rep = company.reps[0][0]
    plain: list[float] = []
    after: list[float] = []
    for customer in company.readers:
        wrote = _post(http, f"/customers/{customer}/assignment", {"staff_id": rep})
        began = time.perf_counter()
        answer = http.get(
            f"/customers/{customer}/holder", params={"min_position": wrote["position"]}
        )
        after.append(time.perf_counter() - began)
        if answer.status_code != 200 or answer.json()["holder"] != rep:
            raise RuntimeError(f"read after write: {answer.status_code} {answer.text[:150]}")
        began = time.perf_counter()
        http.get(f"/customers/{customer}/holder").raise_for_status()
        plain.append(time.perf_counter() - began)
    company.close_clients()
    with_position = Sample(len(after), 0, sum(after), after)
    without = Sample(len(plain), 0, sum(plain), plain)
    extra = with_position.p50 - without.p50
    return [
        Row(
            "2 HTTP", "GET holder right after a write, with its position (p50 ms)", kind.kind, 1,
            with_position.p50, "ms", with_position.p50, with_position.p99,
            "the same GET without a position (p50 ms)", without.p50,
            target=f"≤ {READ_EXTRA_TARGET_MS:g} ms more than a plain read",
            met=extra <= READ_EXTRA_TARGET_MS, note=f"{extra:+.2f} ms",
        )
    ]  # fmt: skip


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
                note = f"{sample.errors} errors: {sample.first_error}" if sample.errors else ""
                row = Row(
                    "2 HTTP", name, kind.kind, n_clients, sample.per_second, "req/s",
                    sample.p50, sample.p99, "library save", library[n_clients],
                    note=note or f"{WORKERS} workers",
                )  # fmt: skip
                wanted = RATIO_TARGET_ONE if n_clients == 1 else RATIO_TARGET_MANY
                ratio_ok = row.ratio is not None and row.ratio >= wanted and not sample.errors
                row.target = f"≥ {wanted:.1f}× library"
                row.met = ratio_ok
                if n_clients == 8 and kind.kind == "postgres":
                    row.target += f"; p99 < {P99_TARGET_MS:.0f} ms"
                    row.met = ratio_ok and sample.p99 < P99_TARGET_MS
                out.append(row)
        say(f"item 2 · {kind.kind}: a read after a write, with its position")
        out += read_rows(kind, company, scale)
        out += health_rows(kind, store, server, scale, say)
        out += two_servers(kind, store, company, scale, library, say)
    finally:
        server.stop()
    return out


def two_servers(
    kind: StoreKind,
    store: LedgerSettings,
    company: HttpClients,
    scale: Scale,
    library: dict[int, float],
    say: Callable[[str], None],
) -> list[Row]:
    """A second `ledger serve` on another port over the same store, the clients split between
    the two; afterwards every acknowledged assignment is checked in the store."""
    second = Server(store)
    second.start()
    company.urls.append(second.url)
    n_clients = max(scale.http_clients)
    try:
        say(f"item 2 · {kind.kind} · {n_clients} clients: POST assignment on two servers")
        company.assigned.clear()
        sample = drive(n_clients, company.assign, scale.cell_seconds, scale.http_max_ops)
        company.close_clients()
    finally:
        company.urls.pop()
        second.stop()
    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    try:
        lost = [c for c, rep in company.assigned if check.customer(c).holder != rep]
        lost += [c for c, rep in company.assigned if str(c) not in check.staff(rep).book]
        cap = check.policy_in_force(datetime.now(UTC)).params.max_customers_per_rep
        over = [rep for rep in {r for _, r in company.assigned} if len(check.staff(rep).book) > cap]
    finally:
        check.close()
    return [
        Row(
            "2 HTTP", "POST assignment, two `ledger serve` on one store", kind.kind, n_clients,
            sample.per_second, "req/s", sample.p50, sample.p99, "library save",
            library[n_clients], target="nothing lost, one holder each, no rep over the cap",
            met=not lost and not over and not sample.errors,
            note=f"{len(company.assigned)} acknowledged, {len(lost)} lost or split, "
            f"{len(over)} reps over the cap; 2 × {WORKERS} workers",
        )
    ]  # fmt: skip
