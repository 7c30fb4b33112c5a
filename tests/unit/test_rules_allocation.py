"""The allocation rules as pure functions, table by table."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.enums import Role, Seniority, Source, Tier
from ledger.errors import RuleViolation
from ledger.policy import PolicyParams
from ledger.rules import authority, concentration, departure, distribution, modes, seniority
from ledger.rules.distribution import Candidate

TIERS = PolicyParams().tier_seniority


def outcome(check: Callable[[], object]) -> str | None:
    try:
        check()
    except RuleViolation as refused:
        return refused.code
    return None


@pytest.mark.parametrize(
    ("tier", "level", "code"),
    [
        (Tier.A, Seniority.SENIOR, None),
        (Tier.A, Seniority.EXPERIENCED, "tier_seniority_mismatch"),
        (Tier.A, Seniority.NEW, "tier_seniority_mismatch"),
        (Tier.B, Seniority.EXPERIENCED, None),
        (Tier.B, Seniority.NEW, "tier_seniority_mismatch"),
        (Tier.C, Seniority.NEW, None),
        (None, Seniority.NEW, None),
        (Tier.C, None, "tier_seniority_mismatch"),
    ],
)
def test_tier_goes_with_seniority(
    tier: Tier | None, level: Seniority | None, code: str | None
) -> None:
    assert outcome(lambda: seniority.check_tier_seniority("c", tier, "s", level, TIERS)) == code


@pytest.mark.parametrize(
    ("actor", "role", "receiver", "code"),
    [
        ("a", Role.ALLOCATION_TEAM, "r", None),
        ("m", Role.MANAGER, "r", None),
        ("r", Role.SALES_REP, "r", "self_assignment"),
        ("v", Role.SALES_REP, "r", "not_allocation_team"),
        ("x", Role.SALES_VP, "r", "not_allocation_team"),
        ("sys", None, "r", "not_allocation_team"),
    ],
)
def test_only_the_allocation_team_allocates(
    actor: str, role: Role | None, receiver: str, code: str | None
) -> None:
    assert outcome(lambda: authority.check_can_allocate(actor, role, receiver)) == code


@pytest.mark.parametrize(
    ("approver", "role", "code"),
    [
        ("m2", Role.MANAGER, None),
        ("m1", Role.MANAGER, "approver_conflict"),  # the requester
        ("giver", Role.MANAGER, "approver_conflict"),
        ("receiver", Role.MANAGER, "approver_conflict"),
        ("a", Role.ALLOCATION_TEAM, "approver_not_manager"),
    ],
)
def test_a_tier_transfers_need_an_uninvolved_second_manager(
    approver: str, role: Role, code: str | None
) -> None:
    check = lambda: authority.check_second_approver(approver, role, "m1", "giver", "receiver")  # noqa: E731
    assert outcome(check) == code


CAPS = concentration.Caps(
    max_customers_per_rep=3, max_a_per_rep=1, max_team_a_share=0.4, team_share_min_base=10
)


@pytest.mark.parametrize(
    ("held", "held_a", "tier", "code"),
    [
        (2, 0, Tier.A, None),
        (3, 0, Tier.C, "rep_customer_cap"),
        (2, 1, Tier.A, "rep_a_tier_cap"),
        (2, 1, Tier.B, None),
    ],
)
def test_a_rep_stays_under_both_caps(held: int, held_a: int, tier: Tier, code: str | None) -> None:
    assert outcome(lambda: concentration.check_rep_caps("s", held, held_a, tier, CAPS)) == code


@pytest.mark.parametrize(
    ("team_a", "company_a", "tier", "code"),
    [
        (3, 10, Tier.A, None),  # 4 of 10 = 40%
        (4, 10, Tier.A, "team_a_share_cap"),  # 5 of 10 > 40%
        (8, 9, Tier.A, None),  # below the minimum base: no share cap yet
        (40, 10, Tier.B, None),  # only A-tier counts
    ],
)
def test_a_team_holds_at_most_its_share_of_a_tier(
    team_a: int, company_a: int, tier: Tier, code: str | None
) -> None:
    assert (
        outcome(lambda: concentration.check_team_share("t", team_a, company_a, tier, CAPS)) == code
    )


def test_the_allocator_spreads_leads_by_weight_and_favours_the_least_loaded() -> None:
    pool = [Candidate("a", 1, 5), Candidate("b", 1, 0), Candidate("c", 2, 0)]
    credits: dict[str, int] = {}
    chosen = []
    for _ in range(8):
        decision = distribution.choose(pool, credits)
        chosen.append(decision.chosen)
        credits = decision.credits_after
    assert chosen.count("c") == 4 and chosen.count("a") == 2 and chosen.count("b") == 2
    assert chosen[0] == "c"
    assert chosen.index("b") < chosen.index("a")  # equal credit: the least loaded first
    assert sum(credits.values()) == 0


def test_the_allocator_refuses_when_nobody_is_eligible() -> None:
    assert outcome(lambda: distribution.choose([], {})) == "no_eligible_rep"


@pytest.mark.parametrize(
    ("source", "ever_held", "code"),
    [
        (Source.COMPANY_INBOUND, False, "company_lead_allocator_only"),
        (Source.COMPANY_INBOUND, True, None),
        (Source.REP_PROSPECTED, False, None),
    ],
)
def test_a_company_lead_is_placed_first_by_the_allocator(
    source: Source, ever_held: bool, code: str | None
) -> None:
    assert outcome(lambda: distribution.check_company_lead("c", source, ever_held)) == code


@pytest.mark.parametrize(
    ("held", "plan", "code"),
    [
        ({"c1", "c2"}, {"c1": "x", "c2": None}, None),
        ({"c1", "c2"}, {"c1": "x"}, "departure_plan_incomplete"),
        ({"c1"}, {"c1": "x", "c9": None}, "departure_plan_unknown_customer"),
    ],
)
def test_a_departure_plan_covers_every_holding(
    held: set[str], plan: dict[str, str | None], code: str | None
) -> None:
    assert outcome(lambda: departure.check_plan_covers("s", held, plan)) == code


def test_an_exception_mode_rule_passes_only_with_a_grant() -> None:
    def mismatch() -> None:
        raise RuleViolation("tier_seniority_mismatch", "no", rule="tier_seniority")

    def cap() -> None:
        raise RuleViolation("rep_customer_cap", "no", rule="dispersion")

    grant = modes.Grant(by="m", reason="training")
    mode = PolicyParams().mode
    assert modes.apply([mismatch], mode, grant) == [
        {
            "rule": "tier_seniority",
            "code": "tier_seniority_mismatch",
            "by": "m",
            "reason": "training",
        }
    ]
    assert outcome(lambda: modes.apply([mismatch], mode, None)) == "tier_seniority_mismatch"
    assert outcome(lambda: modes.apply([cap], mode, grant)) == "rep_customer_cap"
