"""Departure leaves nothing behind: every holding has a planned successor or goes to the pool."""

from __future__ import annotations

from ledger.errors import RuleViolation


def check_plan_covers(staff_id: str, held: set[str], plan: dict[str, str | None]) -> None:
    missing = sorted(held - set(plan))
    if missing:
        raise RuleViolation(
            "departure_plan_incomplete",
            f"Staff {staff_id} still holds {len(missing)} customers with no successor in the "
            "plan; name a rep or the company pool for every holding.",
            staff_id=staff_id,
            missing=missing,
            rule="departure",
        )
    extra = sorted(set(plan) - held)
    if extra:
        raise RuleViolation(
            "departure_plan_unknown_customer",
            f"The plan names {len(extra)} customers that staff {staff_id} does not hold.",
            staff_id=staff_id,
            extra=extra,
            rule="departure",
        )


def check_plan_successor(staff_id: str, successor: str | None) -> None:
    if successor == staff_id:
        raise RuleViolation(
            "departure_plan_self",
            f"A departure plan can't hand staff {staff_id}'s customers back to them.",
            staff_id=staff_id,
            rule="departure",
        )


def check_served(staff_id: str, serving: list[str], planned: bool) -> None:
    """Someone on customers' teams leaves only by a plan, which also ends those team places."""
    if serving and not planned:
        raise RuleViolation(
            "departure_plan_incomplete",
            f"Staff {staff_id} serves on the teams of {len(serving)} customers; a departure "
            "needs a plan (it may name no holdings), which ends every team place with it.",
            staff_id=staff_id,
            serving=serving,
            rule="departure",
        )
