"""The generated company of item 3, adopted the way a real company adopts the ledger (item 5).

A deterministic CRM export is written as CSV (staff, customers, gradings, assignments,
transfers, releases, contacts: the columns of `ledger import`), then imported through
`OwnershipLedger.import_history`, the path behind `ledger import`. Every event is a real ledger
event written by the ledger's own import command: the generation rate *is* the import rate.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bench.scales import Scale
from ledger.application import OwnershipLedger
from ledger.commands.importing import staff_id

COLUMNS = ("kind", "occurred_at", "customer_ref", "name", "staff_ref", "role", "seniority",
           "team", "area", "tier", "channel", "detail")  # fmt: skip
AREAS = ("north", "south", "east", "west")
OTHER_ROLES = ("service", "technical", "callback", "clerk", "manager", "allocation_team")
SENIORITY = ("senior", "experienced", "new")
TIERS = (("A", 0.15), ("B", 0.35), ("C", 0.50))
COMPANY_POLICY = {"max_customers_per_rep": 1000, "max_a_per_rep": 300}
Row = dict[str, str]


@dataclass(frozen=True)
class Generated:
    path: Path
    lines: int
    reps: list[str]  # staff refs of the sales reps
    customers: int
    now: datetime


def bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console, transient=True,
    )  # fmt: skip


def _staff(scale: Scale, start: datetime) -> tuple[list[Row], list[str]]:
    rows, reps = [], []
    for k in range(scale.staff):
        rep = k % 5 != 4  # four in five are sales reps
        role = "sales_rep" if rep else OTHER_ROLES[(k // 5) % len(OTHER_ROLES)]
        rows.append({
            "kind": "staff", "occurred_at": start.isoformat(), "staff_ref": f"s{k}",
            "name": f"Staff {k}", "role": role, "seniority": SENIORITY[k % 3] if rep else "",
            "team": f"team-{k // 25}", "area": AREAS[(k // 25) % 4],
        })  # fmt: skip
        if rep:
            reps.append(f"s{k}")
    return rows, reps


def _customer(n: int, rng: random.Random, reps: list[str], scale: Scale, start: datetime, now: datetime) -> Iterator[Row]:  # fmt: skip
    ref, span = f"c{n}", (now - start).total_seconds()
    at = start + timedelta(seconds=rng.random() * span * 0.6)
    inbound = rng.random() < 0.3
    yield {"kind": "customer", "occurred_at": at.isoformat(), "customer_ref": ref,
           "name": f"Customer {n}", "channel": "hotline-1" if inbound else "",
           "detail": "company_inbound" if inbound else "rep_prospected"}  # fmt: skip
    tier = rng.choices([t for t, _ in TIERS], [w for _, w in TIERS])[0]
    yield {"kind": "grade", "occurred_at": (at + timedelta(hours=1)).isoformat(), "customer_ref": ref, "tier": tier}  # fmt: skip
    holder = reps[rng.randrange(len(reps))]
    yield {"kind": "assign", "occurred_at": (at + timedelta(hours=2)).isoformat(), "customer_ref": ref, "staff_ref": holder}  # fmt: skip
    times = sorted(at + timedelta(days=1, seconds=rng.random() * (now - at).total_seconds() * 0.95) for _ in range(scale.contacts_per_customer))  # fmt: skip
    moved = rng.random() < 0.10
    for j, when in enumerate(times):
        if moved and j == len(times) // 2:
            holder = reps[rng.randrange(len(reps))]
            yield {"kind": "assign", "occurred_at": when.isoformat(), "customer_ref": ref, "staff_ref": holder, "detail": "rebalance"}  # fmt: skip
        yield {"kind": "contact", "occurred_at": when.isoformat(), "customer_ref": ref, "staff_ref": holder, "detail": "call", "channel": "company_phone"}  # fmt: skip
    if rng.random() < 0.02:
        yield {"kind": "release", "occurred_at": (now - timedelta(hours=1)).isoformat(), "customer_ref": ref, "detail": "neglect"}  # fmt: skip


def write_csv(scale: Scale, directory: Path, console: Console, seed: int = 7) -> Generated:
    """The CRM export: staff first, then each customer's history in time order."""
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = now - timedelta(days=3 * 365)
    rng = random.Random(seed)
    staff, reps = _staff(scale, start)
    path = directory / f"crm-{scale.name}.csv"
    lines = 0
    with path.open("w", newline="", encoding="utf-8") as handle, bar(console) as progress:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(staff)
        lines += len(staff)
        task = progress.add_task("writing the CRM export", total=scale.customers, rate="")
        for n in range(scale.customers):
            rows = list(_customer(n, rng, reps, scale, start, now))
            writer.writerows(rows)
            lines += len(rows)
            if n % 1000 == 0:
                progress.update(task, completed=n)
    console.log(f"wrote the CRM export: {lines:,} lines, {path.stat().st_size / 1e6:,.0f} MB")
    return Generated(path, lines, reps, scale.customers, now)


@dataclass(frozen=True)
class Imported:
    events: int
    lines: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def import_csv(ledger: OwnershipLedger, data: Generated, console: Console, label: str) -> Imported:
    """`ledger import` in-process: the company's policy first, then the file, with a progress bar."""
    start = data.now - timedelta(days=3 * 365)
    ledger.adopt_policy(
        COMPANY_POLICY, start, "the generated company's caps", start, "system:bench"
    )
    began = time.perf_counter()
    with data.path.open(newline="", encoding="utf-8") as handle, bar(console) as progress:
        task = progress.add_task(f"importing ({label})", total=data.lines, rate="")

        logged = [began]

        def told(done: int) -> None:
            now = time.perf_counter()
            elapsed = now - began
            progress.update(task, completed=done, rate=f"{done / elapsed:,.0f} lines/s")
            if now - logged[0] >= 30:  # a trace that outlives an interrupted run
                logged[0] = now
                console.log(f"import {label}: {done:,}/{data.lines:,} lines, {done / elapsed:,.0f} lines/s")  # fmt: skip

        events = ledger.import_history(csv.DictReader(handle), batch=500, progress=told)
    return Imported(events, data.lines, time.perf_counter() - began)


def place_leads(ledger: OwnershipLedger, count: int, say: Callable[[str], None]) -> list[float]:
    """Company-channel leads placed by the real allocator over every rep: latencies in seconds."""
    latencies = []
    for n in range(count):
        began = time.perf_counter()
        ledger.register_lead(f"Lead {n}", "hotline-1", datetime.now(UTC))
        latencies.append(time.perf_counter() - began)
        if n == 0:
            say(f"first lead placed in {latencies[0]:.2f} s")
    return latencies


def rep_ids(data: Generated) -> list[str]:
    return [str(staff_id(ref)) for ref in data.reps]
