"""The chain-of-custody export on both stores: built from the events, proven by the chain."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.enums import Tier, TransferReason
from ledger.errors import InvalidInput, NotFound
from ledger.settings import LedgerSettings
from projections.chain import chain_head
from projections.export import Scope, build_export
from projections.export_formats import as_csv, as_html
from tests.clock import T0, day
from tests.company import Company, standard_company
from tests.integration.test_tamper import _events_table, _id_column, dba, drop_guards

LEAD = "Acme <Steel> & Sons"


@dataclass
class Story:
    company: Company
    lead: UUID
    beta: UUID
    holder: str
    receiver: str


def story(ledger: OwnershipLedger) -> Story:
    """A company lead placed by the allocator, graded A, moved with a second manager's
    approval, released; a B-tier customer placed on an exception, then released by a
    departure plan; a refused transfer request."""
    company = standard_company(ledger)
    ledger.adopt_policy({"max_a_per_rep": 8}, T0, "company caps", T0, company.by("boss"))
    lead = ledger.register_lead(LEAD, "hotline-1", day(1)).id
    ledger.grade_customer(
        lead, Tier.A, "large account", day(2), company.by("alloc"), {"revenue": 9}
    )
    holder = ledger.customer(lead).holder
    assert holder is not None
    receiver = next(n for n in ("senior", "senior_s") if company.by(n) != holder)
    request = ledger.request_transfer(
        lead, company[receiver], TransferReason.REBALANCE, day(3), company.by("boss")
    ).ref
    assert request is not None
    ledger.approve_transfer(lead, request, day(3), company.by("boss2"))
    ledger.release_customer(lead, TransferReason.REBALANCE, day(5), company.by("alloc"), "pool")
    beta = company.customer("Beta Foods", Tier.A)
    grant = company.exception(beta, "mid", "the buyer asked for her")
    ledger.assign_customer(beta, company["mid"], day(4), company.by("alloc"), "", grant)
    asked = ledger.request_transfer(
        beta, company["senior"], TransferReason.REBALANCE, day(4), company.by("boss")
    ).ref
    assert asked is not None
    ledger.reject_transfer(beta, asked, "stays for now", day(4), company.by("boss2"))
    ledger.record_departure(company["mid"], "resigned", day(6), company.by("alloc"), {beta: None})
    return Story(company, lead, beta, holder, receiver)


def kinds(rows: list[dict[str, Any]]) -> list[str]:
    return [r["kind"] for r in rows]


def test_a_customers_export_tells_who_moved_it_why_under_which_rule_and_who_approved(
    ledger: OwnershipLedger,
) -> None:
    s = story(ledger)
    export = build_export(ledger, Scope(customer_id=str(s.lead)))
    rows = export.events
    assert kinds(rows) == [
        "registered", "assigned", "lead_allocated", "graded",
        "transfer_requested", "reassigned", "released",
    ]  # fmt: skip
    assert {r["customer"] for r in rows} == {LEAD}
    decision = rows[2]
    assert decision["to_holder"] == s.holder and decision["rule"] == "lead_allocator"
    assert decision["policy_version"] == 1
    assert {m["name"] for m in decision["details"]["pool"]} >= {"senior", "senior_s", "mid"}
    moved = rows[5]
    assert moved["from_holder"] == s.holder and moved["to_name"] == s.receiver
    assert moved["approver_name"] == "boss2" and moved["rule"] == "a_tier_second_approval"
    assert moved["request_id"] == rows[4]["request_id"] and rows[4]["actor_name"] == "boss"
    assert rows[6]["reason"] == "rebalance" and rows[6]["note"] == "pool"
    assert [p["version"] for p in export.policies] == [1]
    assert export.policies[0]["reason"] == "company caps" and export.policies[0]["link_ok"]
    assert all(r["link_ok"] for r in rows)
    assert export.verified and export.verification["chain_intact"] is True
    assert export.head == chain_head(ledger, link_new=False)


def test_exception_grants_refusals_and_departure_moves_are_exported(
    ledger: OwnershipLedger,
) -> None:
    s = story(ledger)
    rows = build_export(ledger, Scope(customer_id=str(s.beta))).events
    assert kinds(rows) == [
        "registered", "graded", "assigned", "transfer_requested", "transfer_rejected", "released",
    ]  # fmt: skip
    placed = rows[2]
    [granted] = placed["exceptions"]
    assert granted.pop("grant_id")  # the approved request it used, signed by the approver
    assert granted == {
        "rule": "tier_seniority",
        "code": "tier_seniority_mismatch",
        "by": s.company.by("boss"),
        "by_name": "boss",
        "reason": "the buyer asked for her",
    }
    assert rows[4]["approver_name"] == "boss2" and rows[4]["reason"] == "stays for now"
    assert rows[5]["reason"] == "departure" and rows[5]["rule"] == "departure_plan"
    assert rows[5]["from_name"] == "mid" and rows[5]["to_holder"] is None


def test_a_period_export_holds_every_customers_events_of_the_period_and_no_other(
    ledger: OwnershipLedger,
) -> None:
    s = story(ledger)
    export = build_export(ledger, Scope(start=day(3), end=day(5)))
    assert {r["customer_id"] for r in export.events} == {str(s.lead), str(s.beta)}
    assert all(day(3).isoformat() <= r["occurred_at"] < day(5).isoformat() for r in export.events)
    assert kinds(export.events) == [
        "transfer_requested", "reassigned", "assigned", "transfer_requested", "transfer_rejected",
    ]  # fmt: skip
    one = build_export(ledger, Scope(customer_id=str(s.lead), start=day(3), end=day(5)))
    assert kinds(one.events) == ["transfer_requested", "reassigned"]


def test_a_reviewer_recomputes_every_link_from_the_json_alone(ledger: OwnershipLedger) -> None:
    story(ledger)
    exported = json.loads(json.dumps(build_export(ledger, Scope(start=T0, end=day(9))).to_dict()))
    assert exported["events"]

    def field(value: bytes) -> bytes:
        return len(value).to_bytes(4, "big") + value

    for row in exported["events"] + exported["policies"]:
        data = b"".join((
            field(row["position"].to_bytes(8, "big")), field(row["originator_id"].encode()),
            field(row["originator_version"].to_bytes(8, "big")), field(row["topic"].encode()),
            field(base64.b64decode(row["state"])),
        ))  # fmt: skip
        assert hashlib.sha256(bytes.fromhex(row["previous_link"]) + data).hexdigest() == row["link"]
    assert exported["verification"]["verified"] is True


def test_an_altered_event_is_flagged_in_the_export(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    s = story(ledger)
    before = build_export(ledger, Scope(customer_id=str(s.lead)))
    target = before.events[0]  # the registration: rename the customer behind the ledger's back
    table = _events_table(ledger)
    drop_guards(store, table)
    with dba(store) as conn:
        mark = "?" if store.database_url is None else "%s"
        row = conn.execute(
            f"SELECT state FROM {table} WHERE {_id_column(store)}={mark}", (target["position"],)
        ).fetchone()
        renamed = bytes(row[0]).replace(b"Acme", b"Acne")
        conn.execute(
            f"UPDATE {table} SET state={mark} WHERE {_id_column(store)}={mark}",
            (renamed, target["position"]),
        )
    after = build_export(ledger, Scope(customer_id=str(s.lead)))
    assert after.events[0]["customer"].startswith("Acne")
    assert after.events[0]["link_ok"] is False
    assert [r["link_ok"] for r in after.events[1:]] == [True] * (len(after.events) - 1)
    assert after.verification["bad_positions"] == [target["position"]]
    assert after.verification["chain_intact"] is False
    assert after.verification["chain_break"]["position"] == target["position"]
    assert not after.verified
    assert "NOT verified" in as_html(after)


def test_csv_and_the_printable_page_carry_the_same_rows(ledger: OwnershipLedger) -> None:
    s = story(ledger)
    export = build_export(ledger, Scope(customer_id=str(s.lead)))
    rows = list(csv.DictReader(io.StringIO(as_csv(export))))
    assert rows[0]["section"] == "chain" and rows[0]["verified"] == "True"
    assert export.head is not None and rows[0]["head_link"] == export.head.link
    events = [r for r in rows if r["section"] == "event"]
    assert [int(r["position"]) for r in events] == [r["position"] for r in export.events]
    assert [r["section"] for r in rows].count("policy") == 1
    page = as_html(export)
    assert page.count('<tr class="event"') == len(export.events)
    assert "Acme &lt;Steel&gt; &amp; Sons" in page and LEAD not in page
    assert "@media print" in page and "http" not in page.split("<body>")[0]
    assert export.head.link in page


@pytest.mark.parametrize(
    ("scope", "code"),
    [
        (Scope(), "export_scope_missing"),
        (Scope(start=day(1)), "export_scope_missing"),
        (Scope(start=day(2), end=day(2)), "period_empty"),
        (Scope(customer_id="not-an-id"), "unknown_customer"),
        (Scope(customer_id="00000000-0000-4000-8000-000000000000"), "unknown_customer"),
    ],
)
def test_an_export_without_a_scope_or_of_no_customer_is_refused(
    ledger: OwnershipLedger, scope: Scope, code: str
) -> None:
    story(ledger)
    with pytest.raises((InvalidInput, NotFound)) as refused:
        build_export(ledger, scope)
    assert refused.value.code == code


def test_the_export_command_writes_each_format(
    ledger: OwnershipLedger, store: LedgerSettings, tmp_path: Path
) -> None:
    s = story(ledger)
    env = {"LEDGER_DATA_DIR": str(store.data_dir), "LEDGER_DATABASE_URL": store.database_url}
    runner = CliRunner()
    target = tmp_path / "custody.csv"
    args = ["export", "--customer", str(s.lead), "--format", "csv", "-o", str(target)]
    written = runner.invoke(cli, args, env=env)
    assert written.exit_code == 0, written.output
    assert "7 ownership events" in written.output and "verified" in written.output
    assert len([r for r in csv.DictReader(target.open()) if r["section"] == "event"]) == 7
    page = runner.invoke(cli, ["export", "--from", "2024-03-01", "--to", "2024-03-10", "--format", "html"], env=env)  # fmt: skip
    assert page.exit_code == 0, page.output
    assert page.stdout.count('<tr class="event"') == 13
    quick = runner.invoke(cli, ["export", "--customer", str(s.beta), "--links-only"], env=env)
    assert quick.exit_code == 0, quick.output
    checked = json.loads(quick.stdout)["verification"]
    assert checked["chain_checked"] is None and checked["links_ok"] and checked["verified"]
    refused = runner.invoke(cli, ["export", "--from", "2024-03-01"], env=env)
    assert refused.exit_code == 1 and "export_scope_missing" in refused.output
