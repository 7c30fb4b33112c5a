"""The policy what-if on both stores: the demo's own policy changes nothing, a changed one does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.demo import DEMO_POLICY, build_demo_company
from ledger.enums import Seniority
from ledger.errors import InvalidInput
from ledger.policyfile import checked_policy, parse_policy
from ledger.roster import LeadRoster
from ledger.settings import LedgerSettings
from projections.whatif import WhatIf, what_if
from tests.stores import STORES, settings_for

START, END = datetime(2023, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
DEMO_TOML = "max_customers_per_rep = 150\nmax_a_per_rep = 80\n"


@pytest.fixture(scope="module", params=STORES)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LedgerSettings, OwnershipLedger]]:
    """One small demo company per store, shared by this module's tests (they only read)."""
    store = settings_for(request.param, tmp_path_factory.mktemp(request.param), request)
    ledger = OwnershipLedger(store)
    build_demo_company(ledger, seed=21, customers=60)
    yield store, ledger
    ledger.close()


def measures(result: WhatIf) -> dict[str, tuple[float, float]]:
    return {row["measure"]: (row["actual"], row["candidate"]) for row in result.comparison}


def decisions(ledger: OwnershipLedger) -> dict[int, LeadRoster.LeadAllocated]:
    """The recorded allocator decisions by log position."""
    topic = [get_topic(LeadRoster.LeadAllocated)]
    found = ledger.recorder.select_notifications(1, 100_000, topics=topic)
    return {n.id: ledger.mapper.to_domain_event(n) for n in found}  # type: ignore[misc]


def test_the_demo_policy_against_itself_changes_no_decision(
    demo: tuple[LedgerSettings, OwnershipLedger],
) -> None:
    _, ledger = demo
    result = what_if(ledger, parse_policy(DEMO_TOML), START, END)
    assert result.decisions == len(decisions(ledger)) > 20
    assert result.reproduced == result.decisions  # every recorded pool rebuilt exactly
    assert result.differing == 0 and result.differences == []
    assert all(row["change"] == 0 for row in result.comparison)
    assert all(r["leads_actual"] == r["leads_candidate"] for r in result.per_rep)
    assert measures(result)["leads_placed"] == (result.decisions, result.decisions)
    assert result.policy_versions == [1]


def test_a_tighter_cap_only_ever_shrinks_the_pool_first_of_reps_at_the_cap(
    demo: tuple[LedgerSettings, OwnershipLedger],
) -> None:
    _, ledger = demo
    cap = 3
    result = what_if(ledger, checked_policy({**DEMO_POLICY, "max_customers_per_rep": cap}), START, END, listed=1000)  # fmt: skip
    assert 0 < result.differing < result.decisions
    assert len(result.differences) == result.differing
    placed, unplaced = measures(result)["leads_placed"][1], measures(result)["unplaced"][1]
    assert placed + unplaced == result.decisions
    assert all(d["only_in_candidate_pool"] == [] for d in result.differences)
    # Until the first different choice both worlds hold the same books, so whoever the
    # candidate left out of that decision's pool held at least the candidate's cap then.
    first = result.differences[0]
    recorded = decisions(ledger)[first["position"]]
    loads = {ledger.staff(m["staff_id"]).name: m["load"] for m in recorded.pool}
    assert first["only_in_actual_pool"]
    assert all(loads[name] >= cap for name in first["only_in_actual_pool"])


def test_heavier_senior_weights_send_the_seniors_more_leads(
    demo: tuple[LedgerSettings, OwnershipLedger],
) -> None:
    _, ledger = demo
    heavier = {**DEMO_POLICY, "lead_weights": {"senior": 3}}
    result = what_if(ledger, checked_policy(heavier), START, END)
    seniors = [r for r in result.per_rep if r["seniority"] == Seniority.SENIOR.value]
    assert result.differing > 0
    assert sum(r["leads_candidate"] for r in seniors) > sum(r["leads_actual"] for r in seniors)
    assert measures(result)["gini"][1] > measures(result)["gini"][0]


def test_only_the_decisions_of_the_period_are_replayed(
    demo: tuple[LedgerSettings, OwnershipLedger],
) -> None:
    _, ledger = demo
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)
    inside = [d for d in decisions(ledger).values() if start <= d.occurred_at < end]
    result = what_if(ledger, parse_policy(DEMO_TOML), start, end)
    assert result.decisions == len(inside) > 0
    assert result.differing == 0
    assert result.start == start and result.end == end


def test_the_what_if_writes_nothing(demo: tuple[LedgerSettings, OwnershipLedger]) -> None:
    _, ledger = demo
    before = ledger.recorder.max_notification_id()
    what_if(ledger, checked_policy({"max_customers_per_rep": 2}), START, END)
    assert ledger.recorder.max_notification_id() == before


def test_an_empty_period_is_refused(demo: tuple[LedgerSettings, OwnershipLedger]) -> None:
    _, ledger = demo
    with pytest.raises(InvalidInput) as refused:
        what_if(ledger, parse_policy(DEMO_TOML), END, START)
    assert refused.value.code == "period_empty"


def invoke(store: LedgerSettings, args: list[str]) -> Any:
    env = {"LEDGER_DATA_DIR": str(store.data_dir), "LEDGER_DATABASE_URL": store.database_url}
    return CliRunner().invoke(cli, args, env={**env, "COLUMNS": "200"})


def test_the_whatif_command_prints_json_or_tables(
    demo: tuple[LedgerSettings, OwnershipLedger], tmp_path: Path
) -> None:
    store, _ = demo
    policy = tmp_path / "cap.toml"
    policy.write_text(DEMO_TOML.replace("150", "3"))
    period = ["--from", "2023-01-01", "--to", "2026-01-01T00:00:00+00:00"]
    as_json = invoke(store, ["whatif", str(policy), *period, "--json"])
    assert as_json.exit_code == 0, as_json.output
    answer = json.loads(as_json.stdout)
    assert answer["differing"] > 0 and answer["faithful"] is True
    tables = invoke(store, ["whatif", str(policy), *period, "--listed", "2"])
    assert tables.exit_code == 0, tables.output
    assert f"{answer['differing']} differ" in tables.output
    assert "Decisions that differ (first 2 of" in tables.output
    policy.write_text("max_cap = 3")
    refused = invoke(store, ["whatif", str(policy), *period])
    assert refused.exit_code == 1
    assert "policy_unknown_key" in refused.output
