"""`ledger rebuild` and `ledger report NAME`: the read models from the command line."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ledger.settings import LedgerSettings
from projections.guard import open_ledger
from projections.readmodels import ReadModels, catch_up
from projections.reports import REPORTS, WAITING, Period, Sections
from projections.tabular import spreadsheet_safe, terminal_safe

console = Console()


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _aware(at: datetime | None) -> datetime | None:
    return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC))


def rebuild() -> None:
    """Drop every read model and apply the whole event log again."""
    settings = LedgerSettings()
    models = ReadModels(open_ledger(settings), owns_app=True)
    try:
        columns = (TextColumn("events"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("rebuild", total=None)
            stats = models.rebuild(
                lambda done, total: bar.update(task, completed=done, total=total)
            )
        console.print(
            f"Rebuilt the read models on {settings.store_kind} from {models.position():,} "
            f"notifications: {stats.events:,} events applied in {stats.seconds:.2f} s "
            f"({stats.per_second:,.0f} events/s)."
        )
    finally:
        models.close()


def report(
    name: Annotated[
        str,
        typer.Argument(help=f"One of: {', '.join(REPORTS)}.", autocompletion=lambda: list(REPORTS)),
    ],
    at: Annotated[
        datetime | None, typer.Option(help="Business time judged at (default now).")
    ] = None,
    known_at: Annotated[
        datetime | None, typer.Option(help="Record time for `holders`: as the ledger knew it then.")
    ] = None,
    start: Annotated[datetime | None, typer.Option("--from", help="Period start.")] = None,
    end: Annotated[datetime | None, typer.Option("--to", help="Period end (default --at).")] = None,
    days: Annotated[int | None, typer.Option(help="Threshold in days for due lists.")] = None,
    top: Annotated[int, typer.Option(help="How many rows of ranked lists.")] = 20,
    output: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.TABLE,
) -> None:
    """Print a report (reads the read models after catching them up)."""
    if name not in REPORTS:
        console.print(f"[red]No report '{name}'.[/] Reports: {', '.join(REPORTS)}.")
        raise typer.Exit(code=2)
    period = Period(
        at=_aware(at) or datetime.now(UTC), start=_aware(start), end=_aware(end), days=days,
        top=top, known_at=_aware(known_at),
    )  # fmt: skip
    models = catch_up(LedgerSettings())
    try:
        with models.read() as tx:
            sections = REPORTS[name](tx, period)
    finally:
        models.close()
    _print(name, sections, output)


def _print(name: str, sections: Sections, output: Format) -> None:
    if output is Format.JSON:
        print(json.dumps({"report": name, "sections": sections, "waiting_for": WAITING.get(name, {})}, default=str, indent=2))  # fmt: skip
        return
    if output is Format.CSV:
        rows = [{"section": s, **row} for s, section in sections.items() for row in section]
        fields = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()
        writer.writerows({k: _cell(spreadsheet_safe(v)) for k, v in row.items()} for row in rows)
        return
    for section, rows in sections.items():
        table = Table(title=f"{name}: {section.replace('_', ' ')}")
        columns = [
            k for k in dict.fromkeys(k for row in rows for k in row) if not k.endswith("_id")
        ]
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:  # stored text is shown, never obeyed (markup, escape sequences)
            table.add_row(*(Text(terminal_safe(_cell(row.get(column)))) for column in columns))
        waiting = WAITING.get(name, {}).get(section)
        if not rows:
            table.caption = f"waiting for {waiting}" if waiting else "none"
        console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def register(app: typer.Typer) -> None:
    app.command()(rebuild)
    app.command()(report)
