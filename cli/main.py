"""`ledger`: build the demo company, serve the API, show and adopt the policy."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.admin import staff_app, token_app
from cli.compliance import register as register_compliance
from cli.importing import import_app
from cli.integrity import verify_chain
from cli.reports import register as register_reports
from cli.serving import project, serve
from cli.store import empty_store
from ledger.application import OwnershipLedger
from ledger.demo import END, START, DemoResult, build_demo_company
from ledger.errors import LedgerError
from ledger.policyfile import parse_policy
from ledger.settings import LedgerSettings
from projections.guard import open_ledger as open_guarded
from projections.summary import OwnershipSummary

app = typer.Typer(help="The customer ownership ledger.", no_args_is_help=True)
policy_app = typer.Typer(help="The company policy in force.")
app.add_typer(policy_app, name="policy")
app.add_typer(staff_app, name="staff")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.command("verify")(verify_chain)
app.command()(serve)
app.command()(project)
register_reports(app)  # `ledger rebuild`, `ledger report NAME`
register_compliance(app)  # `ledger export`, `ledger whatif POLICY.toml`
console = Console()


def open_ledger(settings: LedgerSettings | None = None) -> OwnershipLedger:
    return open_guarded(settings)


@app.command()
def demo(
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same company.")
    ] = 7,
    customers: Annotated[int, typer.Option(help="How many customers to register.")] = 2000,
    fresh: Annotated[bool, typer.Option(help="Empty the configured store first.")] = False,
) -> None:
    """Build a demo company with three years of history, then print who holds what."""
    settings = LedgerSettings()
    if fresh:
        empty_store(settings)
    ledger = open_ledger(settings)
    if ledger.event_count() > 0:
        console.print(
            f"[red]The {settings.store_kind} store already holds {ledger.event_count()} events.[/] "
            "Run `ledger demo --fresh` to empty it first."
        )
        raise typer.Exit(code=1)
    console.print(f"Building the demo company on {settings.store_kind} (seed {seed}) …")
    started = time.perf_counter()
    result = _build_with_progress(ledger, seed, customers)
    elapsed = time.perf_counter() - started
    events = ledger.event_count()
    console.print(f"Wrote {events:,} events in {elapsed:.1f} s ({events / elapsed:,.0f} events/s).")
    print_reports(ledger, result)


def _build_with_progress(ledger: OwnershipLedger, seed: int, customers: int) -> DemoResult:
    days = (END - START).days
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[day]}"))
    with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("business days", total=days, day="")

        def advance(now: datetime) -> None:
            bar.update(task, completed=(now - START).days, day=now.date().isoformat())

        return build_demo_company(ledger, seed=seed, customers=customers, progress=advance)


def print_reports(ledger: OwnershipLedger, result: DemoResult) -> None:
    """Every number below is folded from the stored events, not from the demo's memory."""
    summary = OwnershipSummary.build(ledger)
    names = {sid: s["name"] for sid, s in summary.staff.items()}
    books = summary.holdings()

    by_tier = Table(title="Who holds which tier (by seniority of the holder)")
    for column in ("seniority", "A", "B", "C", "held"):
        by_tier.add_column(column, justify="right" if column != "seniority" else "left")
    for level in ("senior", "experienced", "new"):
        held = [
            books[s]
            for s, st in summary.staff.items()
            if st["seniority"] and st["seniority"].value == level
        ]
        row = [sum(b[t] for b in held) for t in "ABC"]
        by_tier.add_row(level, *map(str, row), str(sum(row)))
    pool = sum(1 for c in summary.customers.values() if c["holder"] is None)
    by_tier.add_row("company pool", "", "", "", str(pool))
    console.print(by_tier)

    lone = Table(title="Five customers with the most single-threaded contact")
    for column in ("customer", "one person", "share of contacts", "contacts"):
        lone.add_column(column)
    for customer_id, person, share, total in summary.single_threaded():
        lone.add_row(
            summary.customers[customer_id]["name"], names[person], f"{share:.0%}", str(total)
        )
    console.print(lone)

    reps = Table(title="Each rep's holdings")
    for column in ("rep", "seniority", "status", "A", "B", "C", "total"):
        reps.add_column(column)
    for sid, st in sorted(summary.staff.items(), key=lambda kv: kv[1]["name"]):
        if st["role"].value == "sales_rep":
            book: Counter[str] = books.get(sid, Counter())
            counts = [book.get(t, 0) for t in "ABC"]
            reps.add_row(
                st["name"], st["seniority"].value, st["status"], *map(str, counts), str(sum(counts))
            )
    console.print(reps)
    for refusal in result.refusals:
        console.print(f"Refused [bold]{refusal.code}[/]: {refusal.message}")


@policy_app.command("show")
def policy_show(
    at: Annotated[datetime | None, typer.Option(help="Business time (default: now).")] = None,
) -> None:
    """Print the policy version in force."""
    when = at or datetime.now(UTC)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    version = open_ledger().policy_in_force(when)
    table = Table(title=f"Policy version {version.version} in force at {when.isoformat()}")
    table.add_column("parameter")
    table.add_column("value")
    for key, value in version.params.to_dict().items():
        table.add_row(key, str(value))
    console.print(table)


@policy_app.command("adopt")
def policy_adopt(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="A TOML (or .json) file of rule parameters."
        ),
    ],
    effective_at: Annotated[datetime, typer.Option(help="When the version takes effect.")],
    reason: Annotated[str, typer.Option(help="Why the company adopts it.")],
    by: Annotated[str, typer.Option(help="The manager or admin adopting it (staff id).")],
) -> None:
    """Adopt a new policy version; a bad file is refused naming the offending key."""
    kind = "json" if file.suffix.lower() == ".json" else "toml"
    when = effective_at if effective_at.tzinfo else effective_at.replace(tzinfo=UTC)
    try:
        params = parse_policy(file.read_text(encoding="utf-8"), kind)
        receipt = open_ledger().adopt_policy(params.to_dict(), when, reason, datetime.now(UTC), by)
    except LedgerError as refusal:
        console.print(f"[red]{refusal.code}[/red]: {refusal.message}")
        raise typer.Exit(1) from None
    console.print(f"adopted policy (event position {receipt.last_position}), effective {when}")


if __name__ == "__main__":
    app()
