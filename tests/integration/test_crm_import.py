"""Adopting the ledger from Salesforce, HubSpot and any mapped CSV, on both stores: the holder
at past instants is what the CRM's history says, a dry run writes nothing, a re-import writes
nothing, a later export writes only what is new, and a bad line is refused by its number."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from adoption.salesforce import case_safe, record_id
from adoption.samples import EXPORTED_AT, Truth, hubspot_export, salesforce_export
from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.commands.importing import customer_id, staff_id
from ledger.settings import LedgerSettings
from projections.holdings import holder_at
from projections.readmodels import ReadModels
from tests.stores import point_cli_at

Run = Callable[..., Result]
EXPORT = ["--exported-at", EXPORTED_AT.isoformat()]


@pytest.fixture
def run(store: LedgerSettings, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The `ledger` command against the test's store."""
    point_cli_at(store, monkeypatch)

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "400"})

    return invoke


def events(store: LedgerSettings) -> int:
    ledger = OwnershipLedger(store)
    try:
        return ledger.event_count()
    finally:
        ledger.close()


def report(result: Result) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def salesforce_args(folder: Path) -> list[str]:
    return [
        "import",
        "salesforce",
        "--accounts",
        str(folder / "Account.csv"),
        "--users",
        str(folder / "User.csv"),
        "--history",
        str(folder / "AccountHistory.csv"),
        "--contacts",
        str(folder / "Task.csv"),
        *EXPORT,
    ]


def instants(truth: Truth, account: str) -> list[datetime]:
    """Before creation, at creation, every change and a second after it, and the export."""
    created = truth.created[account]
    moments = [created - timedelta(seconds=1), created, EXPORTED_AT]
    for since, _ in truth.owners[account]:
        moments += [since, since + timedelta(seconds=1)]
    return moments


def assert_holders_match(store: LedgerSettings, truth: Truth, prefix: str) -> int:
    """Every account's holder at every instant that matters is the CRM history's owner."""
    ledger = OwnershipLedger(store)
    models = ReadModels(ledger)
    checked = 0
    try:
        models.catch_up()
        now = datetime.now(UTC)
        with models.read() as tx:
            for account in truth.owners:
                cid = str(customer_id(f"{prefix}:{account}"))
                for at in instants(truth, account):
                    held = holder_at(tx, cid, at, now)
                    expected = truth.holder_at(account, at)
                    want = str(staff_id(f"{prefix}:{expected}")) if expected else None
                    assert (held.holder if held else None) == want, (account, at)
                    checked += 1
    finally:
        models.close()
        ledger.close()
    return checked


def test_salesforce_dry_run_writes_nothing_then_the_import_gives_the_history_of_owners(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    truth = salesforce_export(tmp_path / "sf", accounts=300)
    dry = run(*salesforce_args(tmp_path / "sf"), "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    planned = report(dry)
    assert events(store) == 0 and planned["written"] is None
    assert planned["facts"]["customers"] == 300 and planned["facts"]["staff"] == 14
    moves = sum(len(owners) - 1 for owners in truth.owners.values())
    assert planned["facts"]["moves"] == moves and planned["skipped"] == []
    assert any("Wang Lei Jr" in note for note in planned["notes"])  # the deleted user, by name

    real = run(*salesforce_args(tmp_path / "sf"), "--format", "json")
    assert real.exit_code == 0, real.output
    written = report(real)
    assert written["written"] == planned["events"] == events(store)
    assert assert_holders_match(store, truth, "salesforce") > 300 * 3
    assert run("verify").exit_code == 0

    again = run(*salesforce_args(tmp_path / "sf"), "--format", "json")
    assert again.exit_code == 0, again.output
    assert report(again)["written"] == 0 and events(store) == written["written"]
    assert report(again)["already_in_the_ledger"]["customers"] == 300


def _cut(folder: Path, into: Path, truth: Truth, cutoff: datetime) -> None:
    """The same org exported earlier: what existed at `cutoff`, owners as they were then."""
    into.mkdir()
    (into / "User.csv").write_bytes((folder / "User.csv").read_bytes())
    for name, column in (("AccountHistory.csv", "CreatedDate"), ("Task.csv", "ActivityDate")):
        with (folder / name).open(newline="") as source, (into / name).open("w", newline="") as out:
            reader = csv.DictReader(source)
            writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
            writer.writeheader()
            for row in reader:
                at = datetime.fromisoformat(row[column])
                if (at if at.tzinfo else at.replace(tzinfo=UTC)) < cutoff:
                    writer.writerow(row)
    with (
        (folder / "Account.csv").open(newline="") as source,
        (into / "Account.csv").open("w", newline="") as out,
    ):
        reader = csv.DictReader(source)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        for row in reader:
            account = record_id(row["Id"])
            if truth.created[account] < cutoff:
                writer.writerow(
                    {**row, "OwnerId": truth.holder_at(account, cutoff - timedelta(seconds=1))}
                )


def test_a_later_export_writes_only_what_is_new(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    truth = salesforce_export(tmp_path / "sf", accounts=120, seed=3)
    cutoff = datetime(2023, 1, 1, tzinfo=UTC)
    _cut(tmp_path / "sf", tmp_path / "early", truth, cutoff)
    early = run(*salesforce_args(tmp_path / "early"), "--format", "json")
    assert early.exit_code == 0, early.output
    first = report(early)
    later = run(*salesforce_args(tmp_path / "sf"), "--format", "json")
    assert later.exit_code == 0, later.output
    second = report(later)
    assert second["already_in_the_ledger"]["customers"] == first["facts"]["customers"]
    assert second["facts"]["customers"] == 120 - first["facts"]["customers"] > 0
    assert second["written"] > 0 and events(store) == first["written"] + second["written"]
    assert assert_holders_match(store, truth, "salesforce") > 120 * 3


def _edit(path: Path, line: int, column: str, value: str) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_a_malformed_line_refuses_the_import_by_its_number_unless_skipped(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "sf"
    salesforce_export(folder, accounts=60)
    _edit(folder / "AccountHistory.csv", 5, "CreatedDate", "31/12/2023 10:00")  # a 'created' row
    _edit(folder / "AccountHistory.csv", 6, "CreatedDate", "2024-13-01T00:00:00Z")  # an owner row
    _edit(folder / "Account.csv", 7, "Rating", "Lukewarm")
    refused = run(*salesforce_args(folder), "--format", "json")
    assert refused.exit_code == 1 and events(store) == 0
    lines = {(s["file"], s["line"], s["column"]): s["reason"] for s in report(refused)["skipped"]}
    assert "not a date" in lines["AccountHistory.csv", 5, "CreatedDate"]
    assert "not a date" in lines["AccountHistory.csv", 6, "CreatedDate"]
    assert "[tiers]" in lines["Account.csv", 7, "Rating"]
    table = run(*salesforce_args(folder))
    assert "AccountHistory.csv" in table.stdout and "nothing was written" in table.stdout
    skipped = run(*salesforce_args(folder), "--skip-bad", "--format", "json")
    assert skipped.exit_code == 0, skipped.output
    outcome = report(skipped)
    assert outcome["written"] == events(store) > 0
    assert {(s["file"], s["line"]) for s in outcome["skipped"]} >= {
        ("AccountHistory.csv", 5),
        ("Account.csv", 7),
    }


def test_a_file_missing_a_column_or_missing_altogether_is_refused_without_a_traceback(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "sf"
    salesforce_export(folder, accounts=5)
    (folder / "User.csv").write_text("Id,FullName\n005000000000001,X\n")
    missing_column = run(*salesforce_args(folder))
    assert missing_column.exit_code == 1 and "import_missing_column" in missing_column.output
    (folder / "Task.csv").unlink()
    missing_file = run(*salesforce_args(folder))
    assert missing_file.exit_code == 2 and "Traceback" not in missing_file.output
    assert "Task.csv" in missing_file.output and events(store) == 0


def test_salesforce_ids_of_15_and_18_characters_are_one_record_and_a_bad_suffix_is_refused() -> (
    None
):
    for id15, suffix in (
        ("a0D30000001n7Pi", "EAI"),
        ("500x000000003TR", "AAY"),
        ("0019000000B98de", "AAB"),
    ):
        assert case_safe(id15) == id15 + suffix
        assert record_id(id15 + suffix) == record_id(id15 + suffix.lower()) == id15
    with pytest.raises(ValueError, match="do not match"):
        record_id("0019000000B98deAAC")
    with pytest.raises(ValueError, match="not a Salesforce id"):
        record_id("0019000000B98d")


def test_hubspot_records_the_current_owner_at_the_export_date_and_a_later_change_as_a_move(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "hs"
    truth = hubspot_export(folder, companies=200)
    args = [
        "import",
        "hubspot",
        "--companies",
        folder / "companies.csv",
        "--owners",
        folder / "owners.csv",
    ]
    dry = run(*args, *EXPORT, "--dry-run")
    assert dry.exit_code == 0 and events(store) == 0 and "dry run" in dry.stdout
    assert "current owner only" in dry.stdout
    first = run(*args, *EXPORT, "--format", "json")
    assert first.exit_code == 0, first.output
    assert assert_holders_match(store, truth, "hubspot") >= 200 * 3
    assert report(run(*args, *EXPORT, "--format", "json"))["written"] == 0

    with (folder / "companies.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    owner_column = rows[0].index("Company owner")
    moved = rows[1][0]
    rows[1][owner_column] = truth.names["100007"]  # company 0 passes to the second owner
    with (folder / "companies.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    later = EXPORTED_AT + timedelta(days=30)
    second = run(*args, "--exported-at", later.isoformat(), "--format", "json")
    assert second.exit_code == 0, second.output
    assert report(second)["facts"] == {"owners dated at the export": 1}
    truth.owners[moved].append((later, "100007"))
    assert assert_holders_match(store, truth, "hubspot") >= 200 * 3


CHINESE_CRM = """类型,时间,客户编号,名称,员工编号,岗位,资历,小组,区域,等级
员工,2024-01-02 09:00,,王芳,E1,sales_rep,senior,华南一组,广州,
员工,2024-01-02 09:00,,李娜,E2,sales_rep,new,华南一组,广州,
登记,2024-01-03 10:00,C1,广州明达贸易,,,,,广州,
分级,2024-01-03 10:00,C1,,,,,,,甲
分配,2024-01-03 10:05,C1,,E1,,,,,
移交,2024-06-01 09:00,C1,,E2,,,,,
"""
CHINESE_MAPPING = """timezone = "Asia/Shanghai"
namespace = "crm-cn"

[columns]
kind = "类型"
occurred_at = "时间"
customer_ref = "客户编号"
name = "名称"
staff_ref = "员工编号"
role = "岗位"
seniority = "资历"
team = "小组"
area = "区域"
tier = "等级"

[values.kind]
"员工" = "staff"
"登记" = "customer"
"分级" = "grade"
"分配" = "assign"
"移交" = "assign"

[values.tier]
"甲" = "A"
"乙" = "B"
"丙" = "C"
"""


def test_any_csv_imports_through_a_mapping_in_its_own_words_and_zone(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    (tmp_path / "crm.csv").write_text(CHINESE_CRM, encoding="utf-8")
    (tmp_path / "map.toml").write_text(CHINESE_MAPPING, encoding="utf-8")
    mapped = ("--mapping", tmp_path / "map.toml", "--format", "json")
    result = run("import", "csv", tmp_path / "crm.csv", *mapped)
    assert result.exit_code == 0, result.output
    assert report(result)["facts"] == {
        "staff": 2,
        "customers": 1,
        "gradings": 1,
        "assignments": 1,
        "moves": 1,
    }
    ledger = OwnershipLedger(store)
    try:
        customer = ledger.customer(customer_id("crm-cn:C1"))
        assert customer.holder == str(staff_id("crm-cn:E2")) and customer.tier is not None
        assert customer.held_since == datetime(2024, 6, 1, 1, tzinfo=UTC)  # 09:00 in Shanghai
    finally:
        ledger.close()
    bad = CHINESE_CRM.replace(
        "分级,2024-01-03 10:00,C1,,,,,,,甲", "分级,2024-01-03 10:00,C1,,,,,,,丁"
    )
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    refused = run("import", "csv", tmp_path / "bad.csv", *mapped)
    assert refused.exit_code == 1
    [line] = report(refused)["skipped"]
    assert (line["line"], line["column"]) == (5, "等级") and "'丁'" in line["reason"]


def test_the_holders_csv_carries_what_a_crm_reimport_needs(
    run: Run, store: LedgerSettings, tmp_path: Path
) -> None:
    truth = salesforce_export(tmp_path / "sf", accounts=20)
    assert run(*salesforce_args(tmp_path / "sf")).exit_code == 0
    at = EXPORTED_AT - timedelta(days=1)
    result = run("report", "holders", "--at", at.isoformat(), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert {"customer_id", "source_ref", "holder_id", "holder", "since", "tier"} <= set(rows[0])
    by_source = {row["source_ref"]: row for row in rows}
    assert len(by_source) == len([a for a, c in truth.created.items() if c <= at])
    for account in by_source:
        holder = truth.holder_at(record_id(account), at)
        assert by_source[account]["holder_id"] == str(staff_id(f"salesforce:{holder}"))
        assert by_source[account]["holder"] == truth.names.get(
            holder or "", by_source[account]["holder"]
        )
