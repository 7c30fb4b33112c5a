"""`ledger import FILE.csv`: adopt the ledger with an existing CRM's owners and history."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from ledger.commands.importing import check_syntax
from ledger.errors import LedgerError
from projections.guard import open_ledger

console = Console()


def import_history(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: kind,occurred_at,customer_ref,name,staff_ref,role,seniority,team,area,tier,channel,detail"
        ),
    ],
    batch: Annotated[int, typer.Option(help="Lines per transaction.")] = 500,
) -> None:
    """Import staff, customers, gradings, assignments, releases and contacts, in file order."""
    try:
        with file.open(newline="", encoding="utf-8") as handle:
            lines = check_syntax(csv.DictReader(handle))
        ledger = open_ledger()
        started = time.perf_counter()
        with Progress(console=console) as bar, file.open(newline="", encoding="utf-8") as handle:
            task = bar.add_task("importing", total=lines)
            written = ledger.import_history(
                csv.DictReader(handle),
                batch=batch,
                progress=lambda done: bar.update(task, completed=done),
            )
    except LedgerError as refusal:
        console.print(f"[red]Refused {refusal.code}[/]: {refusal.message}")
        raise typer.Exit(code=1) from None
    elapsed = time.perf_counter() - started
    console.print(
        f"Imported {lines:,} lines as {written:,} events in {elapsed:.1f} s ({written / elapsed:,.0f} events/s)."
    )
