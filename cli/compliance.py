"""`ledger export` (the chain of custody, with its proof), `ledger export events` (the log as
JSON Lines, for warehouses) and `ledger whatif` (a candidate policy replayed over a period's
allocator decisions)."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.serialize import events_after, json_line
from ledger.application import OwnershipLedger
from ledger.errors import LedgerError
from ledger.event_types import topics_for
from ledger.policyfile import parse_policy
from projections.export import Scope, build_export
from projections.export_formats import render
from projections.guard import open_ledger
from projections.whatif import WhatIf, what_if

console = Console()
errors = Console(stderr=True, highlight=False)
TIMES = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


COMPARISON = {
    "measure": "measure",
    "actual": "actual",
    "candidate": "candidate",
    "change": "change",
}
PER_REP = {
    "rep": "rep", "team": "team", "seniority": "seniority", "leads_actual": "leads",
    "leads_candidate": "candidate", "change": "change", "a_tier_held_actual": "A held",
    "a_tier_held_candidate": "A held, candidate",
}  # fmt: skip
DIFFERENCES = {
    "occurred_at": "when (UTC)", "customer": "customer", "tier": "tier", "actual": "actual",
    "candidate": "candidate", "only_in_actual_pool": "eligible only actually",
    "only_in_candidate_pool": "eligible only under the candidate",
}  # fmt: skip


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


class LinesFormat(StrEnum):
    JSONL = "jsonl"


def _utc(at: datetime) -> datetime:
    """A time without an offset is read as UTC, as `ledger report` reads it."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _aware(at: datetime | None) -> datetime | None:
    return None if at is None else _utc(at)


def _refused(refusal: LedgerError) -> typer.Exit:
    errors.print(f"[red]Refused {refusal.code}[/]: {refusal.message}")
    return typer.Exit(code=1)  # refused by a rule or a check: 1; a malformed command line: 2


def export(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(help="One customer's id.")] = None,
    start: Annotated[
        datetime | None, typer.Option("--from", formats=TIMES, help="Period start (business time).")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", formats=TIMES, help="Period end, not included.")
    ] = None,
    output: Annotated[ExportFormat, typer.Option("--format", help="json, csv or html.")] = (
        ExportFormat.JSON
    ),
    file: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    links_only: Annotated[
        bool, typer.Option("--links-only", help="Check the exported links, not the whole chain.")
    ] = False,
    after: Annotated[
        int, typer.Option(min=0, help="Only events after this log position (a page's next).")
    ] = 0,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many events: one page, as over HTTP.")
    ] = None,
) -> None:
    """Every ownership event of a customer or a period, with the chain links that prove it.

    Whole by default; `--limit` writes one page and prints the `--after` of the next.
    `ledger export events` writes the whole log instead, as JSON Lines.
    """
    if ctx.invoked_subcommand is not None:
        return
    ledger = open_ledger()
    try:
        scope = Scope(customer, _aware(start), _aware(end))
        result = build_export(ledger, scope, whole_chain=not links_only, after=after, limit=limit)
    except LedgerError as refusal:
        raise _refused(refusal) from None
    finally:
        ledger.close()
    text = render(result, output.value)
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
    head = result.head
    verdict = "[green]verified[/]" if result.verified else "[red]NOT verified[/]"
    errors.print(
        f"{len(result.events)} ownership events, chain head "
        f"{head.link if head else '-'} at position {head.position if head else 0}: {verdict}"
    )
    if result.next_after is not None:
        errors.print(f"more follow: the next page is --after {result.next_after}")
    if not result.verified:
        raise typer.Exit(code=1)


def export_events(
    output: Annotated[
        LinesFormat,
        typer.Option(
            "--format", help="jsonl: JSON Lines, one event per line, as every warehouse loads."
        ),
    ] = LinesFormat.JSONL,
    after: Annotated[
        int, typer.Option(min=0, help="Only events after this log position (a previous run's).")
    ] = 0,
    file: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    types: Annotated[
        list[str] | None, typer.Option("--type", help="Only this event type (repeatable).")
    ] = None,
) -> None:
    """Every event after a position as JSON Lines, for warehouses.

    The lines are those `GET /events` streams; the end prints the position to resume from, so
    a warehouse job loads each event once.
    """
    ledger = open_ledger()
    try:
        topics = topics_for(types or [])
        head = ledger.event_count()
        with _opened(file) as out:
            count, last = _write_lines(ledger, out, after, head, topics, shown=file is not None)
    except LedgerError as refusal:
        raise _refused(refusal) from None
    finally:
        ledger.close()
    reached = max(after, head)
    errors.print(
        f"{count} events, the last at position {last if last is not None else '-'}; "
        f"read up to position {reached}: resume with --after {reached}",
        soft_wrap=True,  # one line, for the warehouse job's log
    )


def _opened(file: Path | None) -> AbstractContextManager[TextIO]:
    """Standard output, or the file; `newline=""` keeps one `\\n` per line on every OS."""
    return nullcontext(sys.stdout) if file is None else file.open("w", encoding="utf-8", newline="")


def _write_lines(
    ledger: OwnershipLedger, out: TextIO, after: int, head: int, topics: list[str], shown: bool
) -> tuple[int, int | None]:
    """Writes the events as lines with a progress bar on stderr; how many, and the last one's
    position."""
    count, last = 0, None
    columns = (TextColumn("positions"), BarColumn(), TextColumn("{task.fields[count]} events"))
    with Progress(*columns, TimeElapsedColumn(), console=errors, disable=not shown) as bar:
        task = bar.add_task("export", total=max(head - after, 0), count=0)
        for event in events_after(ledger, after, head, topics):
            out.write(json_line(event))
            count, last = count + 1, event.position
            bar.update(task, completed=event.position - after, count=count)
    return count, last


def whatif(
    policy: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="The candidate policy: TOML (or .json), as adopted."
        ),
    ],
    start: Annotated[datetime, typer.Option("--from", formats=TIMES, help="Period start.")],
    end: Annotated[datetime, typer.Option("--to", formats=TIMES, help="Period end, not included.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    top: Annotated[
        int | None, typer.Option(min=1, help="Top reps in the shares (default: the top fifth).")
    ] = None,
    listed: Annotated[int, typer.Option(min=0, help="How many differing decisions to list.")] = 10,
) -> None:
    """Replay the period's allocator decisions under a candidate policy; writes nothing."""
    kind = "json" if policy.suffix.lower() == ".json" else "toml"
    ledger = open_ledger()
    try:
        candidate = parse_policy(policy.read_text(encoding="utf-8"), kind)
        result = what_if(ledger, candidate, _utc(start), _utc(end), top, listed)
    except LedgerError as refusal:
        raise _refused(refusal) from None
    finally:
        ledger.close()
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    _print(result)


def _print(result: WhatIf) -> None:
    console.print(
        f"Replayed {result.decisions} allocator decisions ({result.company_channel} of "
        f"company-channel leads) from {result.start:%Y-%m-%d %H:%M} to {result.end:%Y-%m-%d %H:%M}"
        f" UTC under the candidate: [bold]{result.differing} differ[/]. Policy versions in "
        f"force: {', '.join(map(str, result.policy_versions)) or '-'}; recorded pools "
        f"reproduced: {result.reproduced} of {result.decisions}."
    )
    if not result.faithful:
        console.print(
            "[yellow]Some recorded pools did not come out again under the policy then in "
            "force: read the candidate's numbers as approximate.[/]"
        )
    _table("Actual and candidate", result.comparison, COMPARISON)
    _table("Leads per rep", result.per_rep, PER_REP)
    shown = [
        {**d, "occurred_at": d["occurred_at"][:16].replace("T", " ")} for d in result.differences
    ]
    _table(f"Decisions that differ (first {len(shown)} of {result.differing})", shown, DIFFERENCES)


def _table(title: str, rows: list[dict[str, Any]], columns: dict[str, str]) -> None:
    table = Table(title=title)
    for label in columns.values():
        table.add_column(label, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    if not rows:
        table.caption = "none"
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def register(app: typer.Typer) -> None:
    exports = typer.Typer()
    exports.callback(invoke_without_command=True)(export)
    exports.command("events")(export_events)
    app.add_typer(exports, name="export")
    app.command("whatif")(whatif)
