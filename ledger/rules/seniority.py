"""Tier matches seniority: A to senior reps, B to senior or experienced, C to anyone (57–59)."""

from __future__ import annotations

from ledger.enums import Seniority, Tier
from ledger.errors import RuleViolation


def check_tier_seniority(
    customer_id: str,
    tier: Tier | None,
    staff_id: str,
    seniority: Seniority | None,
    tier_seniority: dict[str, list[str]],
) -> None:
    """An ungraded customer is treated as tier C until it is graded (a company choice)."""
    label = (tier or Tier.C).value
    allowed = tier_seniority[label]
    if seniority is None or seniority.value not in allowed:
        held_by = seniority.value if seniority else "without seniority"
        raise RuleViolation(
            "tier_seniority_mismatch",
            f"Tier {label} customers go to {' or '.join(allowed)} reps (SEED-RULES 57–59); "
            f"staff {staff_id} is {held_by}.",
            customer_id=customer_id,
            staff_id=staff_id,
            tier=label,
            seniority=seniority.value if seniority else None,
            allowed=allowed,
            rule="tier_seniority",
        )
