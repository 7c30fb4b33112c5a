"""The custody export in pages, on both stores: walked to the end, they are the whole export.

Pages are cut in the log's order, and the story records a customer at day 0 after others' day 1
events, so business time and log order disagree here, as they do after a backdated entry.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.export import CustodyExport, Scope, build_export
from projections.export_formats import as_csv, as_html
from tests.clock import T0, day
from tests.e2e.conftest import Caller, LiveServer, build_directory
from tests.integration.test_export import story

PERIOD = Scope(start=T0, end=day(9))
Rows = list[dict[str, Any]]


def walk(ledger: OwnershipLedger, scope: Scope, limit: int) -> Iterator[CustodyExport]:
    """Every page from the start, each asked for after the previous one's `next`."""
    after = 0
    while True:
        page = build_export(ledger, scope, after=after, limit=limit)
        yield page
        if page.next_after is None:
            return
        after = page.next_after


def in_export_order(rows: Rows) -> Rows:
    return sorted(rows, key=lambda r: (r["occurred_at"], r["position"]))


def in_log_order(rows: Rows) -> Rows:
    return sorted(rows, key=lambda r: r["position"])


def assert_proven(page: CustodyExport, after: int) -> None:
    """A page holds only its stretch of the log, in the export's order, each link checked, with
    the policy versions its own events name."""
    positions = [r["position"] for r in page.events]
    assert all(after < p <= (page.next_after or p) for p in positions)
    assert page.events == in_export_order(page.events)
    assert page.verified and all(r["link_ok"] for r in page.events + page.policies)
    named = {r["policy_version"] for r in page.events} - {None}
    assert {p["version"] for p in page.policies} == named
    assert page.verification["links_checked"] == len(page.events) + len(page.policies)


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_walking_every_page_of_a_period_gives_the_whole_exports_events_once_each(
    ledger: OwnershipLedger, limit: int
) -> None:
    story(ledger)
    whole = build_export(ledger, PERIOD)
    assert whole.next_after is None and whole.events != in_log_order(whole.events)
    pages, after = [], 0
    for page in walk(ledger, PERIOD, limit):
        assert 0 < len(page.events) <= limit and page.after == after
        assert_proven(page, after)
        assert page.head == whole.head
        pages.append(page)
        after = page.next_after or after
    walked = [r for page in pages for r in page.events]
    assert len({r["position"] for r in walked}) == len(walked)
    assert in_export_order(walked) == whole.events
    assert len(pages) == -(-len(whole.events) // limit)
    ends = [max(r["position"] for r in p.events) for p in pages[:-1]]
    assert [p.next_after for p in pages[:-1]] == ends  # where each page's stretch of log ends


def test_events_recorded_between_two_pages_come_on_a_later_one(ledger: OwnershipLedger) -> None:
    s = story(ledger)
    pages = walk(ledger, PERIOD, limit=4)
    first = next(pages)
    late = ledger.register_lead("Backdated Ltd", "hotline-1", day(1)).id  # before page 1's rows
    rest = [r for page in pages for r in page.events]
    seen = [r["position"] for r in first.events + rest]
    now = build_export(ledger, PERIOD)
    assert sorted(seen) == [r["position"] for r in in_log_order(now.events)]
    assert str(s.lead) in {r["customer_id"] for r in first.events}
    assert str(late) in {r["customer_id"] for r in rest}


def test_a_page_says_so_in_every_format_and_the_last_one_says_it_is_the_last(
    ledger: OwnershipLedger,
) -> None:
    story(ledger)
    first, *_, last = walk(ledger, PERIOD, limit=3)
    assert first.to_dict()["after"] == 0 and first.to_dict()["next"] == first.next_after
    assert last.to_dict()["next"] is None
    chain_row = next(csv.DictReader(io.StringIO(as_csv(first))))
    assert (chain_row["after"], chain_row["next"]) == ("0", str(first.next_after))
    assert next(csv.DictReader(io.StringIO(as_csv(last))))["next"] == ""
    assert f"to {first.next_after}, more follow" in as_html(first)
    assert "more follow" not in as_html(last)
    assert f"log positions after {last.after}, the last" in as_html(last)
    assert "this page" not in as_html(build_export(ledger, PERIOD))


def test_a_customers_history_pages_the_same_way(ledger: OwnershipLedger) -> None:
    s = story(ledger)
    scope = Scope(customer_id=str(s.lead))
    whole = build_export(ledger, scope)
    walked = [r for page in walk(ledger, scope, limit=2) for r in page.events]
    assert in_export_order(walked) == whole.events and len(whole.events) == 7


def test_the_export_command_writes_one_page_and_names_the_next(
    ledger: OwnershipLedger, store: LedgerSettings, tmp_path: Path
) -> None:
    s = story(ledger)
    env = {"LEDGER_DATA_DIR": str(store.data_dir), "LEDGER_DATABASE_URL": store.database_url}
    runner = CliRunner()
    base = ["export", "--customer", str(s.lead), "--limit", "4"]
    first = runner.invoke(cli, [*base, "-o", str(tmp_path / "1.json")], env=env)
    assert first.exit_code == 0, first.output
    page = json.loads((tmp_path / "1.json").read_text())
    assert len(page["events"]) == 4 and f"--after {page['next']}" in first.output
    second = runner.invoke(cli, [*base, "--after", str(page["next"])], env=env)
    assert second.exit_code == 0, second.output
    rest = json.loads(second.stdout)
    assert len(rest["events"]) == 3 and rest["next"] is None and "more follow" not in second.output
    whole = build_export(ledger, Scope(customer_id=str(s.lead))).events
    walked = page["events"] + rest["events"]
    assert [r["position"] for r in in_export_order(walked)] == [r["position"] for r in whole]


@pytest.fixture
def auditor(store: LedgerSettings) -> Iterator[Caller]:
    """An auditor's client of the API (a period's export is theirs) on a loopback port."""
    server = LiveServer(store).start()
    people = build_directory(store, server.url)
    yield people["auditor"]
    people.ledger.close()
    server.stop()


def test_over_http_json_pages_follow_next_and_csv_pages_follow_the_link_header(
    ledger: OwnershipLedger, auditor: Caller
) -> None:
    story(ledger)
    period = {"from": T0.isoformat(), "to": day(9).isoformat(), "limit": 3}
    json_positions, after = [], 0
    while True:
        answer = auditor.get("/exports/custody", {**period, "after": after})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        json_positions += [r["position"] for r in page["events"]]
        assert ("next" in answer.links) == (page["next"] is not None)
        if page["next"] is None:
            break
        after = page["next"]
    csv_positions, params = [], {**period, "format": "csv"}
    answer = auditor.get("/exports/custody", params)
    while True:
        assert answer.status_code == 200 and answer.headers["X-Ledger-Verified"] == "true"
        rows = csv.DictReader(io.StringIO(answer.text))
        csv_positions += [int(r["position"]) for r in rows if r["section"] == "event"]
        if "next" not in answer.links:
            break
        answer = auditor.get(answer.links["next"]["url"].removeprefix(auditor.base))
    whole = build_export(ledger, PERIOD).events
    assert json_positions == csv_positions
    assert sorted(json_positions) == [r["position"] for r in in_log_order(whole)]
    for bad in ({"limit": 0}, {"limit": 10_001}, {"after": -1}):
        assert auditor.get("/exports/custody", {**period, **bad}).status_code == 422
