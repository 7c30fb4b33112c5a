"""Stored names that are instructions elsewhere: formulas in a spreadsheet, escape sequences
and markup in a terminal. Every CSV the ledger writes neutralises formulas; the CLI's tables
show control characters and markup as text. Numbers are left as they are."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from api.routes.queries import as_csv as report_csv
from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.enums import Source
from ledger.settings import LedgerSettings
from projections.export import Scope, build_export
from projections.export_formats import as_csv as custody_csv
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from projections.tabular import spreadsheet_safe, terminal_safe
from tests.clock import T0

FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1:A2)")
ESCAPED = "\x1b]0;owned\x07\x1b[31mRed Co"


def test_cells_that_spreadsheets_run_are_turned_into_text() -> None:
    assert [spreadsheet_safe(f) for f in FORMULAS] == [f"'{f}" for f in FORMULAS]
    assert spreadsheet_safe("\tTab Co") == "'\tTab Co"
    assert spreadsheet_safe("Acme = Steel") == "Acme = Steel"
    assert spreadsheet_safe(-3) == -3 and spreadsheet_safe(-0.5) == -0.5
    assert terminal_safe(ESCAPED) == "\\x1b]0;owned\\x07\\x1b[31mRed Co"
    assert terminal_safe("line\tand\nnext") == "line\tand\nnext"


def test_every_csv_the_ledger_writes_neutralises_formulas(
    ledger: OwnershipLedger, models: ReadModels
) -> None:
    ids = [ledger.register_customer(name, Source.REP_PROSPECTED, T0).id for name in FORMULAS]
    models.catch_up()
    with models.read() as tx:
        sections = REPORTS["holders"](tx, Period())
    report = list(csv.DictReader(io.StringIO(report_csv(sections))))
    assert sorted(r["customer"] for r in report) == sorted(f"'{f}" for f in FORMULAS)
    export = build_export(ledger, Scope(customer_id=str(ids[0])))
    rows = list(csv.DictReader(io.StringIO(custody_csv(export))))
    cells = [v for r in rows for v in r.values() if v and v.lstrip("'").startswith("=HYPERLINK")]
    assert cells and all(cell.startswith("'=") for cell in cells)


def test_the_cli_shows_escape_sequences_and_markup_as_text(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    for name in (ESCAPED, "[bold]Markup Co[/bold]", FORMULAS[0]):
        ledger.register_customer(name, Source.REP_PROSPECTED, T0)
    env = {"LEDGER_DATA_DIR": str(store.data_dir), "LEDGER_DATABASE_URL": store.database_url}
    table = CliRunner().invoke(cli, ["report", "holders"], env=env)
    assert table.exit_code == 0, table.output
    assert "\x1b" not in table.output and "\x07" not in table.output
    assert "\\x1b[31mRed Co" in table.output and "[bold]Markup Co[/bold]" in table.output
    as_csv = CliRunner().invoke(cli, ["report", "holders", "--format", "csv"], env=env)
    assert as_csv.exit_code == 0, as_csv.output
    names = {r["customer"] for r in csv.DictReader(io.StringIO(as_csv.output))}
    assert f"'{FORMULAS[0]}" in names
