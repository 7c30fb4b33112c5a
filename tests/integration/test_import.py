"""Adopting the ledger from a CRM export: history imported as facts, judged by the reports."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.commands.importing import check_syntax, customer_id, staff_id
from ledger.errors import InvalidInput
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from tests.clock import T0

FIELDS = ["kind", "occurred_at", "customer_ref", "name", "staff_ref", "role", "seniority", "team", "area", "tier", "channel", "detail"]  # fmt: skip


def blue_sun_month() -> list[dict[str, str]]:
    """S1 step 5: a month of hotline leads in which the two veterans took all thirty."""
    rows = [
        {"kind": "staff", "occurred_at": T0.isoformat(), "staff_ref": ref, "name": ref,
         "role": "sales_rep", "seniority": level, "team": "blue-sun", "area": "city"}
        for ref, level in (("V1", "senior"), ("V2", "senior"), ("W", "new"), ("N2", "new"), ("N3", "new"))
    ]  # fmt: skip
    for n in range(30):
        at = (T0 + timedelta(days=1 + n // 2, hours=n % 2)).isoformat()
        ref = f"lead-{n}"
        rows.append({"kind": "customer", "occurred_at": at, "customer_ref": ref, "name": f"enquiry {n}", "channel": "hotline-1", "detail": "company_inbound"})  # fmt: skip
        rows.append({"kind": "assign", "occurred_at": at, "customer_ref": ref, "staff_ref": "V1" if n % 2 else "V2"})  # fmt: skip
        rows.append({"kind": "contact", "occurred_at": at, "customer_ref": ref, "staff_ref": "V1" if n % 2 else "V2", "detail": "call", "channel": "company_phone"})  # fmt: skip
    return rows


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_an_imported_blue_sun_month_is_recorded_and_flagged_by_the_fairness_report(
    ledger: OwnershipLedger,
) -> None:
    written = ledger.import_history(blue_sun_month(), batch=16)
    assert written == ledger.event_count()
    assert len(ledger.staff(staff_id("V1")).book) == 15
    assert ledger.customer(customer_id("lead-7")).holder == str(staff_id("V1"))
    models = ReadModels(ledger)
    models.catch_up()
    with models.read() as tx:
        report = REPORTS["fairness"](tx, Period(at=T0 + timedelta(days=40), start=T0))
    models.close()
    summary = report["summary"][0]
    assert summary["leads"] == 30 and summary["blue_sun_pattern"] is True


def test_a_line_that_contradicts_history_names_the_line(ledger: OwnershipLedger) -> None:
    rows = blue_sun_month()[:7]
    rows.append({"kind": "release", "occurred_at": T0.isoformat(), "customer_ref": "lead-9"})
    with pytest.raises(InvalidInput) as refused:
        ledger.import_history(rows)
    assert refused.value.params["line"] == 9


def test_a_malformed_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    rows = [*blue_sun_month()[:3], {"kind": "assign", "occurred_at": "yesterday"}]
    with pytest.raises(InvalidInput) as refused:
        check_syntax(rows)
    assert refused.value.params["line"] == 5


def test_the_import_command_reports_events_per_second_and_a_second_import_writes_nothing(
    store: LedgerSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(store.data_dir))
    if store.database_url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", store.database_url)
    else:
        monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    path = write(tmp_path / "crm.csv", blue_sun_month())
    first = CliRunner().invoke(cli, ["import", "csv", str(path), "--batch", "20"])
    assert first.exit_code == 0, first.output
    assert "events/s" in first.output
    stored = OwnershipLedger(store)
    count = stored.event_count()
    again = CliRunner().invoke(cli, ["import", "csv", str(path)])
    assert again.exit_code == 0 and "imported: 0 events written" in again.output
    assert stored.event_count() == count > 0
    stored.close()
