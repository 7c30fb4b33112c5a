"""The demo company: built through the commands, answered from the stored events."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.demo import build_demo_company
from ledger.settings import LedgerSettings
from projections.summary import OwnershipSummary


def use_store(monkeypatch: pytest.MonkeyPatch, store: LedgerSettings) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(store.data_dir))
    if store.database_url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", store.database_url)
    else:
        monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)


def tables_only(output: str) -> str:
    """The printed tables, without the progress bar, timings and ids that differ between runs."""
    tables = output[output.index("Who holds") :]
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", tables)


def test_the_demo_prints_its_tables_and_refuses_a_store_that_holds_events(
    store: LedgerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_store(monkeypatch, store)
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--customers", "60", "--seed", "3"])
    assert first.exit_code == 0, first.output
    for title in ("Who holds which tier", "single-threaded contact", "Each rep's holdings"):
        assert title in first.output
    for code in ("company_lead_allocator_only", "departure_plan_incomplete", "staff_departed"):
        assert f"Refused {code}" in first.output

    again = runner.invoke(cli, ["demo", "--customers", "60", "--seed", "3"])
    assert again.exit_code == 1
    assert "already holds" in again.output

    fresh = runner.invoke(cli, ["demo", "--customers", "60", "--seed", "3", "--fresh"])
    assert fresh.exit_code == 0, fresh.output
    assert tables_only(fresh.output) == tables_only(first.output)


def test_the_demo_answers_come_from_replaying_the_stored_events(store: LedgerSettings) -> None:
    writer = OwnershipLedger(store)
    result = build_demo_company(writer, seed=11, customers=80)
    assert result.departed is not None
    writer.close()

    reader = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    summary = OwnershipSummary.build(reader)
    assert summary.events == reader.event_count()
    assert len(summary.customers) == 80
    for customer_id, row in summary.customers.items():
        customer = reader.customer(customer_id)
        assert row["holder"] == customer.holder
        assert row["tier"] is customer.tier
    departed = summary.staff[str(result.departed.id)]
    assert departed["status"] == "departed"
    assert str(result.departed.id) not in summary.holdings()
    assert OwnershipSummary.build(reader).holdings() == summary.holdings()
    reader.close()


def test_the_same_seed_builds_the_same_company(tmp_path: Path) -> None:
    def build(name: str) -> tuple[list[tuple[str, float, int]], dict[str, int]]:
        app = OwnershipLedger(LedgerSettings(data_dir=tmp_path / name))
        build_demo_company(app, seed=5, customers=50)
        summary = OwnershipSummary.build(app)
        names = {sid: s["name"] for sid, s in summary.staff.items()}
        lone = [
            (summary.customers[c]["name"], share, total)
            for c, _, share, total in summary.single_threaded()
        ]
        books = {names[sid]: sum(book.values()) for sid, book in summary.holdings().items()}
        return lone, books

    assert build("one") == build("two")
