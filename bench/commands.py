"""Item 1: durable commands through the ledger against plain `Application.save` and raw INSERTs.

Each client thread works on customers of its own (assigned to reps of its own, each rep kept
under the company's default cap of 60), so the figure is the cost of the command path, not of
conflicts between clients on one aggregate. The library baseline likewise rotates over aggregates
of its own: load, one event, save, with the same store settings (cache, pool, DB functions).
"""

from __future__ import annotations

import itertools
import math
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.groupcommit import GroupCommitLedger
from bench.results import Row
from bench.scales import Scale
from bench.stores import StoreKind
from bench.timing import Op, Sample, drive
from ledger.application import OwnershipLedger, Receipt
from ledger.commands.importing import customer_id, staff_id
from ledger.enums import CallbackOutcome, ContactChannel, ContactKind, Role
from ledger.settings import LedgerSettings

T0 = datetime(2024, 1, 1, tzinfo=UTC)
TARGET = 0.70
PER_REP = 50  # customers assigned to one rep at most: under the default cap of 60
COUNTERS_PER_CLIENT = 50
BASELINE_SCHEMA = "bench_baseline"


class Counter(Aggregate):
    """The trivial aggregate of the library baseline: one event method, one field."""

    def __init__(self) -> None:
        self.count = 0

    @event("Bumped")
    def bump(self, by: str) -> None:
        self.count += 1


class Baseline(Application[UUID]):
    """Plain eventsourcing: its own tables (PostgreSQL) or its own file beside the ledger's."""

    name = "baseline"


def baseline_app(store: LedgerSettings) -> Baseline:
    """The library on the same server with the same settings, in a schema of its own.

    Its own schema matters: with POSTGRES_ENABLE_DB_FUNCTIONS the library names its insert
    function per schema (`es_insert_events_uuid`), not per table, so a second application in
    the ledger's schema would silently redirect the ledger's inserts into its own table.
    """
    env = store.eventsourcing_env()
    env.pop("IS_SNAPSHOTTING_ENABLED", None)
    env.pop("APPLICATION_RECORDER_TOPIC", None)  # the library's own recorder, unchanged
    if store.database_url is None:
        env["SQLITE_DBNAME"] = str(store.data_dir / "baseline.sqlite3")
        return Baseline(env=env)
    with psycopg.connect(store.database_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {BASELINE_SCHEMA}")
    return Baseline(env=env | {"POSTGRES_SCHEMA": BASELINE_SCHEMA})


def library_op(app: Baseline) -> Callable[[int], Op]:
    """Load one of the client's own aggregates, add one event, save: `Application.save`."""

    def make(_: int) -> Op:
        counters = [Counter() for _ in range(COUNTERS_PER_CLIENT)]
        app.save(*counters)
        ids = itertools.cycle([c.id for c in counters])

        def op() -> bool:
            aggregate: Counter = app.repository.get(next(ids))
            aggregate.bump(by="bench")
            app.save(aggregate)
            return True

        return op

    return make


class RawInserts:
    """The ceiling: one single-row INSERT per transaction, one connection per client."""

    def __init__(self, store: LedgerSettings) -> None:
        self.store = store
        if store.database_url:
            with psycopg.connect(store.database_url, autocommit=True) as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body bytea)")  # fmt: skip
        else:
            with self._sqlite() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, body BLOB)")  # fmt: skip
        self.connections: list[Any] = []

    def _sqlite(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.store.data_dir / "raw.sqlite3", timeout=30, check_same_thread=False)  # fmt: skip
        conn.execute("PRAGMA journal_mode=WAL")  # as the library's SQLite recorder sets it
        return conn

    def op(self, _: int) -> Op:
        body = b"x" * 300  # about one stored event's state
        if self.store.database_url:
            pg = psycopg.connect(self.store.database_url, autocommit=True)
            self.connections.append(pg)

            def insert_pg() -> bool:
                pg.execute("INSERT INTO bench_raw (body) VALUES (%s)", (body,))
                return True

            return insert_pg
        conn = self._sqlite()
        self.connections.append(conn)

        def insert_sqlite() -> bool:
            conn.execute("INSERT INTO bench_raw (body) VALUES (?)", (body,))
            conn.commit()
            return True

        return insert_sqlite

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


class LedgerClients:
    """The ledger set up for item 1: an allocator, reps of each client's own, a callback caller."""

    def __init__(self, store: LedgerSettings, clients: int, per_client: int) -> None:
        self.ledger = led = OwnershipLedger(store)
        self.grouped = GroupCommitLedger(store)  # the stretch: same store, same data
        self.allocator = led.join_staff("Allocator", Role.ALLOCATION_TEAM, None, "north", "north", T0).id  # fmt: skip
        self.caller = led.join_staff("Caller", Role.CALLBACK, None, "north", "north", T0).id
        per_rep = math.ceil(2 * per_client / PER_REP)  # both assignment cells stay under the cap
        staff = (
            {"kind": "staff", "occurred_at": T0.isoformat(), "staff_ref": f"rep-{i}-{r}",
             "name": f"Rep {i}.{r}", "role": "sales_rep", "seniority": "senior",
             "team": f"team-{i % 4}", "area": "north"}
            for i in range(clients) for r in range(per_rep)
        )  # fmt: skip
        led.import_history(staff, batch=1000)
        self.reps = [[staff_id(f"rep-{i}-{r}") for r in range(per_rep)] for i in range(clients)]
        pool = clients * per_client * 2  # the ordinary path's assignments, then group commit's
        rows = (
            {"kind": "customer", "occurred_at": T0.isoformat(), "customer_ref": f"pool-{n}",
             "name": f"Prospect {n}", "detail": "rep_prospected"}
            for n in range(pool)
        )  # fmt: skip
        led.import_history(rows, batch=1000)
        self.unheld = itertools.count()
        self.pool = pool
        self.lock = threading.Lock()
        self.held: dict[int, list[tuple[UUID, UUID]]] = {i: [] for i in range(clients)}
        self.contacts: dict[int, list[tuple[UUID, str]]] = {i: [] for i in range(clients)}

    def _next_customer(self) -> UUID | None:
        with self.lock:
            n = next(self.unheld)
        return customer_id(f"pool-{n}") if n < self.pool else None

    def _command(self, grouped: bool) -> Callable[[Callable[[OwnershipLedger], Receipt]], Receipt]:
        if grouped:
            ledger = self.grouped
            return lambda command: ledger.submit(lambda: command(ledger))
        return lambda command: command(self.ledger)

    def assign(self, grouped: bool = False) -> Callable[[int], Op]:
        call = self._command(grouped)

        def make(i: int) -> Op:
            reps, by, held = itertools.cycle(self.reps[i]), str(self.allocator), self.held[i]

            def op() -> bool:
                cid = self._next_customer()
                if cid is None:
                    return False
                rep = next(reps)
                call(lambda led: led.assign_customer(cid, rep, datetime.now(UTC), by))
                held.append((cid, rep))
                return True

            return op

        return make

    def record(self, grouped: bool = False) -> Callable[[int], Op]:
        call = self._command(grouped)

        def make(i: int) -> Op:
            held, done = itertools.cycle(list(self.held[i])), self.contacts[i]

            def op() -> bool:
                cid, rep = next(held)
                receipt = call(lambda led: led.record_contact(
                    cid, rep, ContactKind.CALL, ContactChannel.COMPANY_PHONE, datetime.now(UTC), str(rep)
                ))  # fmt: skip
                done.append((cid, str(receipt.ref)))
                return True

            return op

        return make

    def verify(self, grouped: bool = False) -> Callable[[int], Op]:
        call, caller = self._command(grouped), self.caller

        def make(i: int) -> Op:
            todo, self.contacts[i] = self.contacts[i], []  # each contact is called back once

            def op() -> bool:
                if not todo:
                    return False
                cid, contact = todo.pop()
                call(lambda led: led.verify_contact(
                    cid, contact, caller, CallbackOutcome.CONFIRMED, datetime.now(UTC), str(caller)
                ))  # fmt: skip
                return True

            return op

        return make

    def close(self) -> None:
        self.grouped.close()
        self.ledger.close()


def run(kind: StoreKind, scale: Scale, say: Callable[[str], None]) -> list[Row]:
    """Rows for item 1: per client count, raw INSERTs, the library, and three ledger commands."""
    rows: list[Row] = []
    for clients in scale.clients:
        store = kind.fresh(f"cmd{clients}")
        cap = scale.max_ops_per_client
        say(f"item 1 · {kind.kind} · {clients} clients: set-up")
        ledger = LedgerClients(store, clients, cap)
        app = baseline_app(store)
        raw = RawInserts(store)
        try:
            cells: dict[str, Sample] = {}
            for name, make in (
                ("raw INSERT commit", raw.op),
                ("library Application.save", library_op(app)),
                ("assign_customer", ledger.assign()),
                ("record_contact", ledger.record()),
                ("verify_contact (callback)", ledger.verify()),
                ("assign_customer, group commit", ledger.assign(grouped=True)),
                ("record_contact, group commit", ledger.record(grouped=True)),
                ("verify_contact, group commit", ledger.verify(grouped=True)),
            ):
                say(f"item 1 · {kind.kind} · {clients} clients: {name}")
                cells[name] = drive(clients, make, scale.cell_seconds, cap)
        finally:
            raw.close()
            app.close()
            ledger.close()
        raw_sample, lib = cells.pop("raw INSERT commit"), cells.pop("library Application.save")
        rows.append(_row("raw INSERT commit (ceiling)", kind.kind, clients, raw_sample))
        rows.append(
            _row(
                "library Application.save",
                kind.kind,
                clients,
                lib,
                "raw INSERT",
                raw_sample.per_second,
            )
        )
        for name, sample in cells.items():
            row = _row(name, kind.kind, clients, sample, "library save", lib.per_second)
            ok = not sample.errors and row.ratio is not None
            if "group commit" not in name:
                row.target = f"≥ {TARGET:.0%} of library"
                row.met = ok and row.ratio is not None and row.ratio >= TARGET
            elif clients >= 8:
                row.target = "stretch: > library"
                row.met = ok and row.ratio is not None and row.ratio > 1
            rows.append(row)
    return rows


def _row(
    name: str,
    store: str,
    clients: int,
    sample: Sample,
    baseline: str = "",
    base: float | None = None,
) -> Row:
    note = f"{sample.errors} errors: {sample.first_error}" if sample.errors else ""
    return Row(
        "1 command path", name, store, clients, sample.per_second, "cmd/s",
        sample.p50, sample.p99, baseline, base, note=note,
    )  # fmt: skip
