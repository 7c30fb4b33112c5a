"""Item 4: a command's cost must not grow with the customer's history.

Two customers in one store, held by the same rep: one with 10 events, one with `long_history`
events (contacts imported as history, as years of a real customer's file would be). The same
command, `record_contact`, is timed on each, alternately, in a fresh process (cold cache for
the first call, as after a restart); the figure is the long customer's p50 over the short one's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from bench.commands import T0
from bench.results import Row
from bench.scales import Scale
from bench.stores import StoreKind
from bench.timing import Sample
from ledger.application import OwnershipLedger
from ledger.commands.importing import customer_id, staff_id
from ledger.enums import ContactChannel, ContactKind

TARGET = 1.5
SHORT = 10


def _history(ref: str, events: int) -> Iterator[dict[str, str]]:
    yield {"kind": "customer", "occurred_at": T0.isoformat(), "customer_ref": ref, "name": ref}
    yield {"kind": "assign", "occurred_at": T0.isoformat(), "customer_ref": ref, "staff_ref": "holder"}  # fmt: skip
    for n in range(events - 2):
        at = T0 + timedelta(minutes=n + 1)
        yield {"kind": "contact", "occurred_at": at.isoformat(), "customer_ref": ref, "staff_ref": "holder"}  # fmt: skip


def run(kind: StoreKind, scale: Scale, say: Callable[[str], None]) -> list[Row]:
    store = kind.fresh("history")
    say(f"item 4 · {kind.kind}: customers with {SHORT} and {scale.long_history:,} events")
    with OwnershipLedger(store) as setup:
        staff = {"kind": "staff", "occurred_at": T0.isoformat(), "staff_ref": "holder", "name": "Holder",
                 "role": "sales_rep", "seniority": "senior", "team": "north", "area": "north"}  # fmt: skip
        setup.import_history([staff, *_history("short", SHORT), *_history("long", scale.long_history)])  # fmt: skip
    rep = staff_id("holder")
    latencies: dict[str, list[float]] = {"short": [], "long": []}
    ledger = OwnershipLedger(store)
    try:
        for _ in range(scale.history_ops):
            for ref in ("short", "long"):
                began = time.perf_counter()
                ledger.record_contact(customer_id(ref), rep, ContactKind.CALL, ContactChannel.COMPANY_PHONE, datetime.now(UTC), str(rep))  # fmt: skip
                latencies[ref].append(time.perf_counter() - began)
    finally:
        ledger.close()
    short, long = (Sample(len(v), 0, sum(v), v) for v in latencies.values())
    ratio = long.p50 / short.p50 if short.p50 else float("inf")
    return [
        Row(
            "4 flat cost",
            f"record_contact, customer with {SHORT} events",
            kind.kind,
            1,
            short.p50,
            "ms (p50)",
            short.p50,
            short.p99,
        ),
        Row(
            "4 flat cost",
            f"record_contact, customer with {scale.long_history:,} events",
            kind.kind,
            1,
            long.p50,
            "ms (p50)",
            long.p50,
            long.p99,
            f"{SHORT}-event customer",
            short.p50,
            f"≤ {TARGET} × short",
            ratio <= TARGET,
        ),
    ]
