"""Figure 3 on a store that is already imported: `python -m bench.existing DIR --csv FILE ...`.

The 1 M-customer run (`--scale large`) imports for more than an hour. Its store can be measured
again here after a change to the queries, and when the import has to be stopped, the customers
imported so far are a complete company of their own (the export lists each
customer's history in one block, after every staff member). This measures the lookups and
reports on that store, with the same code and baselines as `bench/scaled.py`, and writes the
section `Scale: <name>` of docs/PERFORMANCE.md. The generation row is the import's, as
given on the command line (from the import's progress log).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from bench import company, report, scaled
from bench.__main__ import DOCS, publish
from bench.company import Generated
from bench.results import Row
from bench.scales import SCALES
from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.existing", description=__doc__)
    parser.add_argument("data_dir", type=Path, help="the SQLite store's directory")
    parser.add_argument("--csv", type=Path, required=True, help="the export it was imported from")
    parser.add_argument("--import-seconds", type=float, required=True)
    parser.add_argument("--import-note", required=True, help="what the import's log said")
    parser.add_argument("--name", required=True, help="the section's scale name")
    parser.add_argument("--scale", choices=sorted(SCALES), default="large", help="its export's scale")  # fmt: skip
    parser.add_argument("--docs", type=Path, default=DOCS, help="where PERFORMANCE.md and perf/ go")
    args = parser.parse_args(argv)
    console = Console(width=200)
    say = console.log
    scale = SCALES[args.scale]
    with args.csv.open(encoding="utf-8") as handle:
        handle.readline()
        start = datetime.fromisoformat(handle.readline().split(",")[1])
    now = start + timedelta(days=3 * 365)  # as `company.write_csv` dates the export
    settings = LedgerSettings(data_dir=args.data_dir, cache_size=10_000)
    # Read-write connections: a killed run's log may still need its write-ahead file replayed.
    with closing(sqlite3.connect(settings.sqlite_path)) as conn:
        events = int(conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
    with closing(sqlite3.connect(settings.read_models_path)) as conn:
        registered = int(conn.execute("SELECT COUNT(*) FROM ledger_rm_customer").fetchone()[0])
    complete = registered >= scale.customers  # the import ran to its end
    customers = registered if complete else registered - 1  # a cut import's last block may be short
    _, reps = company._staff(scale, start)
    data = Generated(args.csv, 0, reps, customers, now)
    ledger = OwnershipLedger(settings)
    began = time.perf_counter()
    models = ReadModels(ledger, page=5_000)  # creates the indexes a stopped bulk catch-up dropped
    say(f"read models opened (missing indexes built) in {time.perf_counter() - began:,.0f} s")
    rows: list[Row] = []
    try:
        models.catch_up()
        say("library batch-save baseline")
        lib_import = scaled.library_import_rate(settings, scale.import_baseline_events)
        what = (
            f"{customers:,} customers, {scale.staff:,} staff"
            if complete
            else f"{customers:,} of {scale.customers:,} customers imported, {scale.staff:,} staff; stopped"
        )
        rows.append(Row(scaled.S3, f"generate company ({what})",
                        "sqlite", None, events / args.import_seconds, "events/s",
                        baseline="library batch save", baseline_value=lib_import,
                        note=f"{events:,} events in {args.import_seconds:,.0f} s, read models built alongside; {args.import_note}"))  # fmt: skip
        say(f"{scale.leads} leads through the allocator")
        leads = company.place_leads(ledger, scale.leads, say)
        models.catch_up()
        rows += scaled._queries("sqlite", scale, data, ledger, settings, models, leads, say)
    finally:
        models.close()
        ledger.close()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for row in rows:
        row.measured = stamp
    versions = {"sqlite": f"SQLite {sqlite3.sqlite_version}"}
    after = "a --scale large run's import" if complete else "a stopped --scale large run"
    command = f"python -m bench.existing {args.data_dir} --name {args.name} (after {after})"
    report.print_table(console, rows, args.name)
    console.print(f"wrote {publish(rows, versions, args.name, args.docs, command)}")


if __name__ == "__main__":
    main()
