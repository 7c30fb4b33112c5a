"""The private-use rule, table-driven: which share covers which export, and what follows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ledger.enums import Role, Severity, ShareScope
from ledger.errors import LedgerError
from ledger.rules import privacy
from ledger.rules.privacy import Item, ShareFacts
from tests.clock import day

SHARE = ShareFacts(
    share_id="s1",
    recipient="Ping An Insurance",
    purpose="card campaign",
    scope=ShareScope.HOLDER,
    scope_values=frozenset({"rep"}),
    valid_from=day(0),
    valid_to=day(30),
    approved=True,
    revoked=False,
)
HELD = Item("c1", "rep", "north")
OTHER = Item("c2", "other", "south")


def code_of(check: object, *args: object) -> str | None:
    try:
        check(*args)  # type: ignore[operator]
    except LedgerError as refusal:
        assert refusal.message
        return refusal.code
    return None


R, P = SHARE.recipient, SHARE.purpose
IN_SOUTH = replace(SHARE, scope=ShareScope.AREA, scope_values=frozenset({"south"}))
ONLY_C1 = replace(SHARE, scope=ShareScope.CUSTOMERS, scope_values=frozenset({"c1"}))


@pytest.mark.parametrize(
    ("share", "recipient", "purpose", "items", "at", "code"),
    [
        (SHARE, R, P, [HELD], day(1), None),
        (SHARE, "  ping an   insurance", "Card Campaign", [HELD], day(1), None),
        (replace(SHARE, approved=False), R, P, [HELD], day(1), "data_share_not_approved"),
        (replace(SHARE, revoked=True), R, P, [HELD], day(1), "data_share_revoked"),
        (SHARE, R, P, [HELD], day(30), "data_share_out_of_period"),
        (SHARE, R, P, [HELD], day(-1), "data_share_out_of_period"),
        (SHARE, "Rival Co", P, [HELD], day(1), "data_share_other_recipient"),
        (SHARE, R, "side deal", [HELD], day(1), "data_share_other_purpose"),
        (SHARE, R, P, [HELD, OTHER], day(1), "data_share_scope_exceeded"),
        (IN_SOUTH, R, P, [OTHER], day(1), None),
        (ONLY_C1, R, P, [OTHER], day(1), "data_share_scope_exceeded"),
    ],
)
def test_a_share_covers_an_export_only_within_all_its_terms(
    share: ShareFacts,
    recipient: str,
    purpose: str,
    items: list[Item],
    at: datetime,
    code: str | None,
) -> None:
    assert code_of(privacy.check_covers, share, recipient, purpose, items, at) == code


def test_without_any_share_the_export_is_refused_and_the_newest_shares_reason_is_given() -> None:
    assert code_of(privacy.choose_share, [], R, P, [HELD], day(1)) == "data_export_without_share"
    expired, good = replace(SHARE, share_id="old", valid_to=day(1)), replace(SHARE, share_id="new")
    assert privacy.choose_share([expired, good], R, P, [HELD], day(2)) == good
    revoked = replace(SHARE, share_id="r", revoked=True)
    refusal = code_of(privacy.choose_share, [revoked, expired], R, P, [HELD], day(2))
    assert refusal == "data_share_revoked"


@pytest.mark.parametrize(
    ("scope", "values", "end", "code"),
    [
        (ShareScope.CUSTOMERS, ["a", "b"], day(1), None),
        (ShareScope.HOLDER, ["rep"], day(1), None),
        (ShareScope.HOLDER, ["rep", "other"], day(1), "data_share_scope_invalid"),
        (ShareScope.AREA, [], day(1), "data_share_scope_invalid"),
        (ShareScope.AREA, ["north"], day(0), "data_share_period_invalid"),
    ],
)
def test_a_share_names_its_scope_and_a_closed_period(
    scope: ShareScope, values: list[str], end: datetime, code: str | None
) -> None:
    assert code_of(privacy.check_share_terms, "R", "p", scope, values, day(0), end) == code


def test_only_a_manager_approves_and_records_and_never_against_themself() -> None:
    assert code_of(privacy.check_approver, "m", Role.MANAGER) is None
    assert code_of(privacy.check_approver, "v", Role.SALES_VP) == "data_share_approver_not_manager"
    assert code_of(privacy.check_can_record_violation, "m", Role.MANAGER, "rep") is None
    assert (
        code_of(privacy.check_can_record_violation, "a", Role.AUDITOR, "rep")
        == "violation_not_authorised"
    )
    assert code_of(privacy.check_can_record_violation, "m", Role.MANAGER, "m") == "violation_self"


def test_each_severity_has_the_seeds_consequences_and_only_termination_takes_a_plan() -> None:
    assert privacy.CONSEQUENCES == {
        Severity.MINOR: ("written_warning", "stop_order"),
        Severity.SERIOUS: ("internal_investigation",),
        Severity.MALICIOUS: ("termination",),
    }
    assert code_of(privacy.check_violation_terms, "x", Severity.MALICIOUS, True) is None
    assert (
        code_of(privacy.check_violation_terms, "x", Severity.MINOR, True)
        == "violation_plan_without_termination"
    )
    assert (
        code_of(privacy.check_violation_terms, " ", Severity.MINOR, False)
        == "violation_description_missing"
    )
