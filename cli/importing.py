"""`ledger import salesforce|hubspot|csv`: adopt the ledger with an existing CRM's history.

Every import is planned first: the files are read, every row is applied to the ledger's
aggregates in memory, and the report says what would be written and which lines cannot be.
A dry run stops there; a real run writes only when no line is refused (or with --skip-bad,
everything but the refused lines), then prints the same report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adoption.generic import read_csv_mapped
from adoption.hubspot import HubSpotFiles, read_hubspot
from adoption.mapping import MappingFile
from adoption.salesforce import SalesforceFiles, read_salesforce
from adoption.samples import hubspot_export, salesforce_export
from adoption.sources import Prepared
from cli.import_report import Outcome, print_report
from ledger.errors import LedgerError
from projections.guard import open_ledger
from projections.tabular import terminal_safe

import_app = typer.Typer(
    help="Adopt the ledger from a CRM: Salesforce, HubSpot, or any CSV with a mapping.",
    no_args_is_help=True,
)
errors = Console(stderr=True, highlight=False)


class ReportFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class Sample(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


def _file(help: str) -> Any:
    return typer.Option(exists=True, dir_okay=False, readable=True, help=help)


DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Read and check everything, report, write nothing.")
]
SkipBad = Annotated[
    bool,
    typer.Option(
        "--skip-bad",
        help="Import the rest when some lines cannot be; the report lists every skipped line.",
    ),
]
Output = Annotated[ReportFormat, typer.Option("--format", help="The report: table or json.")]
Batch = Annotated[int, typer.Option(min=1, help="Rows per transaction.")]
MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        exists=True,
        dir_okay=False,
        help="A TOML mapping; its tables replace the defaults (print them: `ledger import "
        "mapping NAME`).",
    ),
]
ExportedAt = Annotated[
    datetime | None,
    typer.Option(
        help="When the export was taken (default: the file's time); dates the owners the "
        "export states but no history records."
    ),
]


@import_app.command("salesforce")
def salesforce(
    accounts: Annotated[Path, _file("Account.csv (Id, Name, OwnerId, CreatedDate, Rating…).")],
    users: Annotated[Path, _file("User.csv (Id, Name, IsActive, UserRole, Department…).")],
    history: Annotated[
        Path | None, _file("AccountHistory.csv: owner changes (Field 'Owner') and ratings.")
    ] = None,
    contacts: Annotated[
        list[Path] | None, _file("Task.csv or Event.csv: activities on accounts (repeatable).")
    ] = None,
    mapping: MappingOption = None,
    exported_at: ExportedAt = None,
    dry_run: DryRun = False,
    skip_bad: SkipBad = False,
    output: Output = ReportFormat.TABLE,
    batch: Batch = 500,
) -> None:
    """Import a Salesforce org's accounts, their owner history, users and activities."""
    files = SalesforceFiles(accounts, users, history, tuple(contacts or ()), _utc(exported_at))
    choices = Choices(dry_run, skip_bad, output, batch)
    _run("salesforce", lambda: read_salesforce(files, MappingFile("salesforce", mapping)), choices)


@import_app.command("hubspot")
def hubspot(
    companies: Annotated[
        Path, _file("The companies export (Record ID, Company name, Company owner…).")
    ],
    owners: Annotated[Path, _file("The owners (users) list: Owner ID, First/Last Name, Email.")],
    mapping: MappingOption = None,
    exported_at: ExportedAt = None,
    dry_run: DryRun = False,
    skip_bad: SkipBad = False,
    output: Output = ReportFormat.TABLE,
    batch: Batch = 500,
) -> None:
    """Import HubSpot companies and their owners (HubSpot exports no owner history)."""
    files = HubSpotFiles(companies, owners, _utc(exported_at))
    choices = Choices(dry_run, skip_bad, output, batch)
    _run("hubspot", lambda: read_hubspot(files, MappingFile("hubspot", mapping)), choices)


@import_app.command("csv")
def any_csv(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="A CSV file; without --mapping, in the ledger's layout: kind,occurred_at,"
            "customer_ref,name,staff_ref,role,seniority,team,area,tier,channel,detail",
        ),
    ],
    mapping: MappingOption = None,
    dry_run: DryRun = False,
    skip_bad: SkipBad = False,
    output: Output = ReportFormat.TABLE,
    batch: Batch = 500,
) -> None:
    """Import any CSV (another CRM, a spreadsheet) whose columns a mapping names, in file order."""
    choices = Choices(dry_run, skip_bad, output, batch)
    _run("csv", lambda: read_csv_mapped(file, MappingFile("ledger", mapping)), choices)


@import_app.command("mapping")
def show_mapping(
    name: Annotated[
        Sample | None, typer.Argument(help="salesforce, hubspot, or none: csv.")
    ] = None,
) -> None:
    """Print a default mapping, to copy and change for --mapping."""
    print(MappingFile.default_text(name.value if name else "ledger"), end="")


@import_app.command("sample")
def sample(
    kind: Annotated[Sample, typer.Argument(help="salesforce or hubspot.")],
    folder: Annotated[Path, typer.Argument(file_okay=False, help="Where to write the files.")],
    size: Annotated[int, typer.Option(min=1, help="How many accounts or companies.")] = 300,
) -> None:
    """Write example export files shaped like the CRM's, to try an import on."""
    if kind is Sample.SALESFORCE:
        salesforce_export(folder, accounts=size)
    else:
        hubspot_export(folder, companies=size)
    for path in sorted(folder.glob("*.csv")):
        errors.print(f"wrote {path}")


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC))


@dataclass(frozen=True)
class Choices:
    """What every import command lets its user choose."""

    dry_run: bool
    skip_bad: bool
    output: ReportFormat
    batch: int


def _run(source: str, prepare: Callable[[], Prepared], choices: Choices) -> None:
    by = f"system:import:{source}"
    try:
        prepared = prepare()
        ledger = open_ledger()
        try:
            with _bar() as bar:
                task = bar.add_task("checking", total=len(prepared.rows))
                plan = ledger.plan_import(
                    prepared.rows, by, lambda done: bar.update(task, completed=done)
                )
                bar.update(task, completed=len(prepared.rows))
            plan.notes[:0] = prepared.notes
            outcome = Outcome(source, plan, choices.dry_run, choices.skip_bad)
            if not outcome.writes:
                print_report(outcome, choices.output.value)
                raise typer.Exit(code=1 if outcome.refused else 0)
            started = time.perf_counter()
            with _bar() as bar:
                task = bar.add_task("importing", total=len(prepared.rows))
                plan.written = ledger.write_import(
                    prepared.rows,
                    plan.leave_out,
                    by,
                    choices.batch,
                    lambda done: bar.update(task, completed=done),
                )
            outcome.seconds = time.perf_counter() - started
        finally:
            ledger.close()
    except LedgerError as refusal:
        errors.print(f"[red]Refused {refusal.code}[/]: {escape(terminal_safe(refusal.message))}")
        raise typer.Exit(code=1) from None
    print_report(outcome, choices.output.value)


def _bar() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=errors, transient=True)
