"""`python -m bench` at the small scale runs end to end on both stores (no timing assertions)."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from rich.console import Console

from bench.__main__ import publish, run
from bench.results import Row
from bench.scales import SCALES

SECTIONS = ("1 command path", "2 HTTP", "3 queries at scale", "4 flat cost", "5 rebuild and import")
LEDGER_COMMANDS = {"assign_customer", "record_contact", "verify_contact (callback)"}
HTTP_COMMANDS = {"POST assignment", "POST contacts", "POST callback"}
AT_SCALE = {
    "owner now (holder of a customer)",
    "owner as of a past instant",
    "a rep's holdings",
    "at-risk report (control)",
    "fairness report",
}


@pytest.fixture(scope="module")
def results(postgres_url: str) -> tuple[list[Row], dict[str, str]]:
    return run(SCALES["small"], ["sqlite", "postgres"], postgres_url, Console(quiet=True))


def test_every_figure_is_measured_on_both_stores(results: tuple[list[Row], dict[str, str]]) -> None:
    rows, versions = results
    assert set(versions) == {"sqlite", "postgres"}
    for store in ("sqlite", "postgres"):
        mine = [r for r in rows if r.store == store]
        assert {r.section for r in mine} == set(SECTIONS)
        for clients in SCALES["small"].clients:
            names = {r.name for r in mine if r.section == "1 command path" and r.clients == clients}
            assert LEDGER_COMMANDS | {"library Application.save", "raw INSERT commit (ceiling)"} <= names  # fmt: skip
        for clients in SCALES["small"].http_clients:
            names = {r.name for r in mine if r.section == "2 HTTP" and r.clients == clients}
            assert names >= HTTP_COMMANDS
        assert {r.name for r in mine if r.section == "3 queries at scale"} >= AT_SCALE
        assert {r.name for r in mine if r.section == "5 rebuild and import"} == {
            "CSV import (ledger import)",
            "rebuild all read models",
        }
        assert len([r for r in mine if r.section == "4 flat cost"]) == 2


def test_each_figure_stands_beside_a_positive_baseline(results: tuple[list[Row], dict[str, str]]) -> None:  # fmt: skip
    rows, _ = results
    for row in rows:
        assert row.value > 0, row
        assert "errors" not in row.note, row.note  # every timed command succeeded
        if row.baseline:
            assert row.baseline_value is not None and row.baseline_value > 0, row
            assert row.ratio == pytest.approx(row.value / row.baseline_value)
        if row.target:
            assert row.met is not None, row


def test_the_report_is_written_with_its_charts(results: tuple[list[Row], dict[str, str]], tmp_path: Path) -> None:  # fmt: skip
    rows, versions = results
    path = publish(rows, versions, "small", tmp_path, "python -m bench --scale small")
    again = publish(rows, versions, "small", tmp_path, "python -m bench --scale small")
    text = path.read_text()
    assert again == path and text.count("<!-- bench:small:begin -->") == 1
    for section in SECTIONS:
        assert f"### {section}" in text
        assert (tmp_path / "perf" / f"small-{section.split()[0]}.png").stat().st_size > 0
    assert "targeted figures met" in text and "PostgreSQL" in text


def test_the_large_scale_builds_the_read_models_beside_the_import(tmp_path: Path) -> None:
    """The large scale's way (a second process follows the import) on a small company: the
    read models end up with every customer, and the queries that follow find them."""
    from dataclasses import replace

    from bench import company, scaled
    from bench.stores import open_store

    scale = replace(SCALES["small"], follow_import=True)
    console = Console(quiet=True)
    data = company.write_csv(scale, tmp_path, console)
    with open_store("sqlite", None) as store:
        rows = scaled.run(store, scale, data, console, lambda _: None)
    built = next(r for r in rows if r.name.startswith("read models built during the import"))
    imported = next(r for r in rows if r.name == "CSV import (ledger import)")
    applied = int(built.note.split(" events applied")[0].replace(",", ""))
    with data.path.open(encoding="utf-8") as handle:
        customer_lines = sum(1 for row in csv.DictReader(handle) if row["kind"] != "staff")
    # Each customer line is at least one customer event, and every customer event has a handler.
    assert customer_lines <= applied <= int(imported.note.split(" events")[0].replace(",", ""))
    assert "rebuild all read models" not in {r.name for r in rows}  # not run twice
    assert {r.name for r in rows} >= AT_SCALE


@pytest.mark.parametrize("lines", [400, None], ids=["stopped", "complete"])
def test_a_large_runs_store_is_measured_where_it_stands(tmp_path: Path, lines: int | None) -> None:
    """`bench.existing` on an imported store, whole or cut short: figure 3 on the customers it has."""
    from bench import company
    from bench.existing import main
    from ledger.application import OwnershipLedger
    from ledger.settings import LedgerSettings

    scale = SCALES["small"]
    data = company.write_csv(scale, tmp_path, Console(quiet=True))
    settings = LedgerSettings(data_dir=tmp_path / "store")
    ledger = OwnershipLedger(settings)
    with data.path.open(encoding="utf-8") as handle:
        cut = tmp_path / "cut.csv"
        cut.write_text("".join(handle.readlines()[:lines]), encoding="utf-8")  # a stopped import
    company.import_csv(ledger, dataclasses.replace(data, path=cut), Console(quiet=True), "cut")
    from projections.readmodels import ReadModels

    models = ReadModels(ledger)
    models.catch_up()
    models.close()
    ledger.close()
    docs = tmp_path / "docs"
    main([str(settings.data_dir), "--csv", str(data.path), "--import-seconds", "2",
          "--import-note", "test", "--name", "small-cut", "--scale", "small", "--docs", str(docs)])  # fmt: skip
    section = (docs / "PERFORMANCE.md").read_text(encoding="utf-8")
    assert "## Scale: small-cut" in section
    if lines is None:
        assert "generate company (150 customers, 30 staff) | sqlite |" in section
        assert "after a --scale large run's import" in section
    else:
        assert "of 150 customers imported" in section and "stopped" in section
    for name in AT_SCALE:
        assert f"| {name} | sqlite |" in section
