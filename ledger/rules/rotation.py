"""Rotation: after the period a holding is due to move to another area; no quick return (36–37)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ledger.errors import RuleViolation


def held_days(held_since: datetime, at: datetime) -> int:
    return (at - held_since).days


def check_rotation_due(customer_id: str, held_since: datetime, at: datetime, period: int) -> None:
    """The clock is the holder's continuous holding; it restarts on every move."""
    days = held_days(held_since, at)
    if days < period:
        raise RuleViolation(
            "rotation_not_due",
            f"Customer {customer_id} has been with its holder {days} days; rotation is due "
            f"after {period} days (SEED-RULES 36).",
            customer_id=customer_id,
            held_days=days,
            period=period,
            rule="rotation",
        )


def check_other_area(customer_id: str, giver_area: str, receiver_area: str) -> None:
    if giver_area == receiver_area:
        raise RuleViolation(
            "rotation_same_area",
            f"Rotation moves customer {customer_id} to a rep in another area, not {receiver_area}.",
            customer_id=customer_id,
            area=receiver_area,
            rule="rotation",
        )


def check_return(
    customer_id: str,
    staff_id: str,
    released: dict[str, list[str]],
    at: datetime,
    cooldown_days: int,
    protection_days: int,
) -> None:
    """A customer goes back neither to a holder it was rotated away from, nor to a neglecter."""
    if staff_id not in released:
        return
    when, reason = datetime.fromisoformat(released[staff_id][0]), released[staff_id][1]
    windows = {
        "rotation": (cooldown_days, "rotation_cooldown"),
        "neglect": (protection_days, "neglect_protection"),
    }
    if reason not in windows:
        return
    days, code = windows[reason]
    if at < when + timedelta(days=days):
        raise RuleViolation(
            code,
            f"Customer {customer_id} left staff {staff_id} by {reason} on {when.date()}; it can't "
            f"return to them within {days} days.",
            customer_id=customer_id,
            staff_id=staff_id,
            until=(when + timedelta(days=days)).isoformat(),
            rule=code,
        )
