"""Company-channel leads are the company's: a visible, replayable rule distributes them (75).

A smooth weighted round-robin (as in nginx's upstream balancer): every eligible rep earns
credit equal to their weight at each decision; the rep with most credit gets the lead and
pays back the pool's total weight. Ties go to the least loaded rep, then the lowest id. The
function is pure, so replaying the recorded inputs reproduces every decision exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.enums import Source
from ledger.errors import RuleViolation


@dataclass(frozen=True)
class Candidate:
    staff_id: str
    weight: int
    load: int


@dataclass(frozen=True)
class Decision:
    chosen: str
    credits_after: dict[str, int]


def choose(pool: list[Candidate], credits: dict[str, int]) -> Decision:
    if not pool:
        raise RuleViolation(
            "no_eligible_rep",
            "No sales rep is eligible for this lead under the tier, cap and departure rules.",
            rule="lead_distribution",
        )
    after = dict(credits)
    for candidate in pool:
        after[candidate.staff_id] = after.get(candidate.staff_id, 0) + candidate.weight
    best = min(pool, key=lambda c: (-after[c.staff_id], c.load, c.staff_id))
    after[best.staff_id] -= sum(c.weight for c in pool)
    return Decision(best.staff_id, after)


def check_company_lead(customer_id: str, source: Source, ever_held: bool) -> None:
    """A first placement of a company-channel lead is the allocator's, not a person's choice."""
    if source is Source.COMPANY_INBOUND and not ever_held:
        raise RuleViolation(
            "company_lead_allocator_only",
            f"Customer {customer_id} came through a company channel; company leads are placed "
            "only by the lead allocator or a manager's recorded override (SEED-RULES 63, 69, 75).",
            customer_id=customer_id,
            rule="lead_distribution",
        )
