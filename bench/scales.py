"""Sizes of a run. Small runs in the test suite; medium and large are run by hand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    clients: tuple[int, ...]  # item 1's concurrent clients
    http_clients: tuple[int, ...]  # item 2's
    cell_seconds: float  # each throughput cell stops at this wall time...
    max_ops_per_client: int  # ...or after this many commands per client
    customers: int  # the generated company (item 3)
    staff: int
    contacts_per_customer: int
    leads: int  # company-channel leads placed by the real allocator after the import
    lookups: int  # point queries timed per kind
    report_runs: int  # each report is run this many times; the slowest run is reported
    long_history: int  # item 4: events on the long customer
    history_ops: int  # item 4: commands timed on each customer
    import_baseline_events: int  # item 5: events the library saves in batches, as the baseline
    read_baseline_events: int  # item 5: events the library reads back, as the rebuild's baseline
    http_max_ops: int  # item 2: requests per client per cell at most
    # Item 3: build the read models in a second process while the import runs (SQLite keeps
    # them in their own file, so neither waits for the other's lock) instead of a rebuild after
    # it; at 20 M events the two one after the other would take about two hours.
    follow_import: bool = False


SCALES = {
    "small": Scale(
        "small", clients=(1, 4), http_clients=(1, 4), cell_seconds=0.1, max_ops_per_client=15,
        customers=150, staff=30, contacts_per_customer=2, leads=3, lookups=30, report_runs=1,
        long_history=200, history_ops=15, import_baseline_events=1_000, read_baseline_events=1_000,
        http_max_ops=15,
    ),
    "medium": Scale(
        "medium", clients=(1, 8, 32), http_clients=(1, 8, 32), cell_seconds=3.0,
        max_ops_per_client=1_000, customers=20_000, staff=400, contacts_per_customer=15,
        leads=50, lookups=1_000, report_runs=3, long_history=10_000, history_ops=200,
        import_baseline_events=100_000, read_baseline_events=100_000, http_max_ops=150,
    ),
    "large": Scale(
        "large", clients=(1, 8, 32), http_clients=(1, 8, 32), cell_seconds=6.0,
        max_ops_per_client=3_000, customers=1_000_000, staff=10_000, contacts_per_customer=15,
        leads=20, lookups=5_000, report_runs=2, long_history=10_000, history_ops=300,
        import_baseline_events=500_000, read_baseline_events=500_000, http_max_ops=300,
        follow_import=True,
    ),
}  # fmt: skip
