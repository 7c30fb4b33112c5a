"""`python -m bench [--scale small|medium|large] [--store sqlite|postgres|both]`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench import charts, commands, company, history, http, report, scaled
from bench.results import Row
from bench.scales import SCALES, Scale
from bench.stores import open_store

DOCS = Path(__file__).resolve().parent.parent / "docs"
ITEMS = ("1", "2", "3", "4")  # "3" runs items 3 and 5 together: one import feeds both


def run(
    scale: Scale,
    stores: list[str],
    postgres_url: str | None,
    console: Console,
    items: tuple[str, ...] = ITEMS,
) -> tuple[list[Row], dict[str, str]]:
    """Every figure of the chosen items on every chosen store; the rows and each store's version."""
    say: Callable[[str], None] = lambda text: console.log(text)  # noqa: E731
    rows: list[Row] = []
    versions: dict[str, str] = {}
    work = Path(tempfile.mkdtemp(prefix="ledger-bench-csv-"))
    try:
        data = company.write_csv(scale, work, console) if "3" in items else None
        for kind_name in stores:
            with open_store(kind_name, postgres_url) as kind:
                versions[kind_name] = kind.server_version()
                if "1" in items:
                    rows += commands.run(kind, scale, say)
                if "2" in items:
                    rows += http.run(kind, scale, say)
                if "4" in items:
                    rows += history.run(kind, scale, say)
                if data is not None:
                    rows += scaled.run(kind, scale, data, console, say)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for row in rows:
        row.measured = row.measured or stamp
    return rows, versions


def merge(rows: list[Row], previous: Path, stores: list[str]) -> list[Row]:
    """Keep an earlier run's rows for the sections and stores this run did not measure."""
    if previous.exists():
        redone = {(r.section, r.store) for r in rows}
        earlier = json.loads(previous.read_text())
        kept = [Row(**{k: v for k, v in r.items() if k != "ratio"}) for r in earlier["rows"]]
        for row in kept:
            row.measured = row.measured or earlier["machine"]["date"]
        rows = rows + [r for r in kept if (r.section, r.store) not in redone]
    order = {s: i for i, s in enumerate(dict.fromkeys([*stores, "sqlite", "postgres"]))}
    return sorted(rows, key=lambda r: (r.section, order.get(r.store, 9)))


def publish(
    rows: list[Row], versions: dict[str, str], scale: str, docs: Path, command: str
) -> Path:
    """docs/PERFORMANCE.md's section for this scale, its charts and its raw numbers."""
    box = report.machine(versions)
    perf = docs / "perf"
    rows = merge(rows, perf / f"{scale}.json", list(versions))
    drawn = charts.draw(rows, perf, scale)
    report.write_json(perf / f"{scale}.json", rows, box)
    path = docs / "PERFORMANCE.md"
    report.write_markdown(path, scale, report.section_block(scale, rows, box, command, drawn, docs))  # fmt: skip
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("LEDGER_BENCH_POSTGRES_URL"),
                        help="a server whose user may CREATE DATABASE (default: "
                        "$LEDGER_BENCH_POSTGRES_URL, else a throwaway durable cluster)")  # fmt: skip
    parser.add_argument("--items", default=",".join(ITEMS),
                        help="comma-separated subset of 1,2,3,4 (3 includes item 5)")  # fmt: skip
    parser.add_argument("--customers", type=int, default=None,
                        help="resize the generated company (staff: one per 100 customers); "
                        "the scale is then reported as e.g. large-100k")  # fmt: skip
    parser.add_argument("--docs", type=Path, default=DOCS, help="where PERFORMANCE.md and perf/ go")
    parser.add_argument("--no-docs", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    console = Console(width=None if Console().is_terminal else 200)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    items = tuple(i.strip() for i in args.items.split(",") if i.strip())
    scale = SCALES[args.scale]
    command = f"python -m bench --scale {args.scale} --store {args.store}"
    if args.customers:
        name = f"{args.scale}-{args.customers // 1000}k"
        staff = max(10, args.customers // 100)
        scale = replace(scale, name=name, customers=args.customers, staff=staff)
        command += f" --customers {args.customers}"
    if items != ITEMS:
        command += f" --items {','.join(items)}"
    began = time.perf_counter()
    rows, versions = run(scale, stores, args.postgres_url, console, items)
    report.print_table(console, rows, scale.name)
    if not args.no_docs:
        path = publish(rows, versions, scale.name, args.docs, command)
        console.print(f"wrote {path}")
    console.print(f"done in {time.perf_counter() - began:,.0f} s")


if __name__ == "__main__":
    main()
