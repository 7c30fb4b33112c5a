"""Dispersion: no rep and no team may gather too many of the company's customers (rule 71)."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.enums import Tier
from ledger.errors import RuleViolation


@dataclass(frozen=True)
class Caps:
    """The numbers a cap check reads; the seeds give none, so these are company choices."""

    max_customers_per_rep: int
    max_a_per_rep: int
    max_team_a_share: float
    team_share_min_base: int


def check_rep_caps(staff_id: str, held: int, held_a: int, tier: Tier | None, caps: Caps) -> None:
    """Taking one more customer must keep the rep within both caps."""
    if held + 1 > caps.max_customers_per_rep:
        raise RuleViolation(
            "rep_customer_cap",
            f"Staff {staff_id} already holds {held} customers; the cap is "
            f"{caps.max_customers_per_rep} per rep (dispersion, SEED-RULES 71).",
            staff_id=staff_id,
            held=held,
            cap=caps.max_customers_per_rep,
            rule="dispersion",
        )
    if tier is Tier.A and held_a + 1 > caps.max_a_per_rep:
        raise RuleViolation(
            "rep_a_tier_cap",
            f"Staff {staff_id} already holds {held_a} A-tier customers; the cap is "
            f"{caps.max_a_per_rep} per rep (dispersion, SEED-RULES 71).",
            staff_id=staff_id,
            held_a=held_a,
            cap=caps.max_a_per_rep,
            rule="dispersion",
        )


def check_team_share(team: str, team_a: int, company_a: int, tier: Tier | None, caps: Caps) -> None:
    """A team's share of the company's A-tier customers stays under the cap.

    Below `team_share_min_base` A-tier customers any share is allowed: with three A-tier
    customers in the company, one team holding two is not concentration.
    """
    if tier is not Tier.A or company_a < caps.team_share_min_base:
        return
    limit = int(caps.max_team_a_share * company_a)
    if team_a + 1 > limit:
        raise RuleViolation(
            "team_a_share_cap",
            f"Team {team} would hold {team_a + 1} of the company's {company_a} A-tier customers; "
            f"the cap is {caps.max_team_a_share:.0%} ({limit}) per team (dispersion, SEED-RULES 71).",
            team=team,
            team_a=team_a,
            company_a=company_a,
            cap=caps.max_team_a_share,
            rule="dispersion",
        )
