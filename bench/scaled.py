"""Items 3 and 5 on the generated company: import, rebuild, then queries and reports at scale.

Baselines, each on the same store in the same run:
- import: the library saving one-event aggregates in batches of 500 (`Application.save(*many)`);
- rebuild: the library reading and decoding the same log (`select_notifications` + mapper), the
  floor any projection pays before writing a row;
- point queries: the library loading the same aggregate (snapshot + later events) in a fresh
  process (cold cache), which is what a query would cost without read models;
- reports: one full scan (`SELECT COUNT(*)`) of the table the report reads most.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from rich.console import Console

from bench import company
from bench.commands import Counter, baseline_app
from bench.results import Row
from bench.scales import Scale
from bench.stores import StoreKind
from bench.timing import Sample, timed
from ledger.application import OwnershipLedger
from ledger.commands.importing import customer_id
from ledger.settings import LedgerSettings
from projections.queries import book, holder_as_of, holder_now
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period

POINT_P99_MS = 5.0
REPORT_S = 2.0
IMPORT_TARGET = 20_000.0
S3, S5 = "3 queries at scale", "5 rebuild and import"


def library_import_rate(store: Any, events: int) -> float:
    app = baseline_app(store)
    try:
        began = time.perf_counter()
        for _ in range(events // 500):
            app.save(*[Counter() for _ in range(500)])
        return (events // 500) * 500 / (time.perf_counter() - began)
    finally:
        app.close()


def library_read_rate(app: OwnershipLedger, events: int) -> float:
    began, position, read = time.perf_counter(), 0, 0
    while read < events:
        notes = app.recorder.select_notifications(start=position, limit=500, inclusive_of_start=False)  # fmt: skip
        if not notes:
            break
        for note in notes:
            app.mapper.to_domain_event(note)
        read, position = read + len(notes), notes[-1].id
    return read / (time.perf_counter() - began)


def rebuild(models: ReadModels, console: Console, label: str) -> tuple[int, float]:
    with company.bar(console) as progress:
        task = progress.add_task(f"rebuilding read models ({label})", total=None, rate="")
        began = time.perf_counter()

        def told(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - began, 1e-9)
            progress.update(task, completed=done, total=total, rate=f"{rate:,.0f} events/s")

        stats = models.rebuild(told)
    return stats.events, stats.seconds


def _follow(settings: LedgerSettings, stop: Any, results: Any) -> None:
    """A second process: catch the read models up, again and again, until told the import is
    over; then once more. Puts (events applied, seconds spent applying) on `results`."""
    ledger = OwnershipLedger(settings)
    models = ReadModels(ledger, page=5_000)
    applied, busy = 0, 0.0
    try:
        with models.bulk():  # the query-only indexes are built once, at the end
            while True:
                last = stop.is_set()
                began = time.perf_counter()
                done = models.catch_up(page=5_000)
                applied, busy = (
                    applied + done,
                    busy + (time.perf_counter() - began if done else 0.0),
                )
                if last:
                    break
                if not done:
                    stop.wait(1.0)
            began = time.perf_counter()
        busy += time.perf_counter() - began  # building the indexes is part of the work
    finally:
        models.close()
        ledger.close()
    results.put((applied, busy))


class Follower:
    """The read models built while the import runs, in a process of their own (two cores)."""

    def __init__(self, settings: LedgerSettings) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop, self.results = context.Event(), context.Queue()
        self.process = context.Process(target=_follow, args=(settings, self.stop, self.results))
        self.process.start()

    def finish(self) -> tuple[int, float, float]:
        """(events applied, seconds applying, seconds from the import's end to caught up)."""
        ended = time.perf_counter()
        self.stop.set()
        applied, busy = self.results.get()
        self.process.join()
        return applied, busy, time.perf_counter() - ended


def run(
    kind: StoreKind,
    scale: Scale,
    data: company.Generated,
    console: Console,
    say: Callable[[str], None],
) -> list[Row]:
    store = kind.fresh("company", cache_size=10_000)
    label = f"{kind.kind}, {scale.name}"
    ledger = OwnershipLedger(store)
    rows: list[Row] = []
    try:
        say(f"item 3/5 · {kind.kind}: importing {data.lines:,} CSV lines")
        follower = Follower(store) if scale.follow_import else None
        imported = company.import_csv(ledger, data, console, label)
        if follower is not None:
            say(f"item 3 · {kind.kind}: waiting for the read models to include the import")
            applied, busy, after = follower.finish()
            rows.append(Row(S5, "read models built during the import (second process)", kind.kind,
                            None, applied / busy if busy else 0.0, "events/s",
                            note=f"{applied:,} events applied in {busy:,.0f} s of work; caught up "
                            f"{after:,.0f} s after the import ended"))  # fmt: skip
        say(f"item 5 · {kind.kind}: library batch-save baseline")
        lib_import = library_import_rate(store, scale.import_baseline_events)
        rows.append(Row(S3, f"generate company ({data.customers:,} customers, {scale.staff:,} staff)",
                        kind.kind, None, imported.per_second, "events/s", baseline="library batch save",
                        baseline_value=lib_import,
                        note=f"{imported.events:,} events from {imported.lines:,} CSV lines in {imported.seconds:,.0f} s"))  # fmt: skip
        row = Row(S5, "CSV import (ledger import)", kind.kind, None, imported.per_second, "events/s",
                  baseline="library batch save", baseline_value=lib_import,
                  note=f"{imported.events:,} events in {imported.seconds:,.0f} s")  # fmt: skip
        if kind.kind == "postgres":
            row.target, row.met = f"≥ {IMPORT_TARGET:,.0f} events/s", imported.per_second >= IMPORT_TARGET  # fmt: skip
        rows.append(row)
        say(f"item 3 · {kind.kind}: {scale.leads} leads through the allocator")
        leads = company.place_leads(ledger, scale.leads, say)
        models = ReadModels(ledger, page=500)
        try:
            if follower is None:
                say(f"item 5 · {kind.kind}: rebuilding every read model")
                applied, seconds = rebuild(models, console, label)
                say(f"item 5 · {kind.kind}: library read baseline")
                lib_read = library_read_rate(ledger, scale.read_baseline_events)
                rows.append(Row(S5, "rebuild all read models", kind.kind, None, applied / seconds, "events/s",
                                baseline="library read + decode", baseline_value=lib_read,
                                note=f"{applied:,} events in {seconds:,.0f} s"))  # fmt: skip
            else:
                models.catch_up()  # the leads placed after the follower stopped
            rows += _queries(kind.kind, scale, data, ledger, store, models, leads, say)
        finally:
            models.close()
    finally:
        ledger.close()
    return rows


def _queries(
    kind: str, scale: Scale, data: company.Generated, ledger: OwnershipLedger, store: Any,
    models: ReadModels, leads: list[float], say: Callable[[str], None],
) -> list[Row]:  # fmt: skip
    rng = random.Random(11)
    customers = [customer_id(f"c{rng.randrange(data.customers)}") for _ in range(scale.lookups)]
    reps = company.rep_ids(data)
    staff = [UUID(reps[rng.randrange(len(reps))]) for _ in range(scale.lookups)]
    first = data.now - timedelta(days=3 * 365)
    instants = [first + (data.now - first) * rng.random() for _ in range(scale.lookups)]
    cold = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    out: list[Row] = []
    try:
        say(f"item 3 · {kind}: point lookups")
        it = iter(customers)
        lib_customer = timed(lambda: cold.repository.get(next(it)), len(customers))
        it_staff = iter(staff)
        lib_staff = timed(lambda: cold.repository.get(next(it_staff)), len(staff))
    finally:
        cold.close()
    cs, ss, ts = iter(customers), iter(staff), iter(zip(customers, instants, strict=True))

    def now_q() -> None:
        with models.read() as tx:
            holder_now(tx, str(next(cs)))

    def as_of_q() -> None:
        cid, at = next(ts)
        with models.read() as tx:
            holder_as_of(tx, str(cid), at)

    def book_q() -> None:
        with models.read() as tx:
            book(tx, str(next(ss)))

    for name, query, base, target in (
        ("owner now (holder of a customer)", now_q, lib_customer, True),
        ("owner as of a past instant", as_of_q, lib_customer, True),
        ("a rep's holdings", book_q, lib_staff, False),
    ):
        sample = timed(query, scale.lookups)
        row = _latency(name, kind, sample, "library load of the aggregate", base)
        if target:
            row.target, row.met = f"p99 ≤ {POINT_P99_MS:.0f} ms", sample.p99 <= POINT_P99_MS
        out.append(row)
    period = Period(at=data.now)
    for name, report, table in (("at-risk report (control)", "control", "ledger_rm_contact"),
                                ("fairness report", "fairness", "ledger_rm_custody")):  # fmt: skip
        say(f"item 3 · {kind}: {name}")

        def scan(table: str = table) -> None:
            with models.read() as tx:
                tx.one(f"SELECT COUNT(*) AS n FROM {table}")

        def run_report(report: str = report) -> None:
            with models.read() as tx:
                REPORTS[report](tx, period)

        base = timed(scan, scale.report_runs)
        sample = timed(run_report, scale.report_runs)
        worst = max(sample.latencies)
        row = Row(S3, name, kind, None, worst * 1000, "ms (slowest run)", sample.p50, worst * 1000,
                  f"full scan of {table}", max(base.latencies) * 1000,
                  f"≤ {REPORT_S:.0f} s", worst <= REPORT_S)  # fmt: skip
        out.append(row)
    if leads:
        lead = Sample(len(leads), 0, sum(leads), leads)
        out.append(Row(S3, f"lead placed by the allocator ({len(reps):,} reps)", kind, None,
                       lead.p50, "ms (p50)", lead.p50, lead.p99,
                       note="register_lead: registration + allocator decision, one client"))  # fmt: skip
    return out


def _latency(name: str, kind: str, sample: Sample, baseline: str, base: Sample) -> Row:
    return Row(S3, name, kind, None, sample.p99, "ms (p99)", sample.p50, sample.p99, baseline, base.p99)  # fmt: skip
