"""Rotation, return windows and neglect, as pure functions of time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.enums import Tier
from ledger.errors import RuleViolation
from ledger.rules import neglect, rotation
from tests.clock import day


def outcome(check: Callable[[], object]) -> str | None:
    try:
        check()
    except RuleViolation as refused:
        return refused.code
    return None


@pytest.mark.parametrize(
    ("held_for", "code"), [(729, "rotation_not_due"), (730, None), (900, None)]
)
def test_rotation_is_due_after_the_period(held_for: int, code: str | None) -> None:
    assert outcome(lambda: rotation.check_rotation_due("c", day(0), day(held_for), 730)) == code


def test_rotation_moves_to_another_area() -> None:
    assert outcome(lambda: rotation.check_other_area("c", "north", "north")) == "rotation_same_area"
    assert outcome(lambda: rotation.check_other_area("c", "north", "south")) is None


@pytest.mark.parametrize(
    ("reason", "after", "code"),
    [
        ("rotation", 364, "rotation_cooldown"),
        ("rotation", 365, None),
        ("neglect", 29, "neglect_protection"),
        ("neglect", 30, None),
        ("rebalance", 1, None),
    ],
)
def test_no_quick_return_to_a_holder_rotated_away_from_or_who_neglected(
    reason: str, after: int, code: str | None
) -> None:
    released = {"s": [day(0).isoformat(), reason]}
    check = lambda: rotation.check_return("c", "s", released, day(after), 365, 30)  # noqa: E731
    assert outcome(check) == code


@pytest.mark.parametrize(
    ("last_contact", "at", "tier", "neglected"),
    [
        (None, 89, Tier.A, False),
        (None, 90, Tier.A, True),
        (50, 120, Tier.B, False),
        (50, 140, Tier.B, True),
        (50, 100, Tier.C, False),  # C's limit below is 60: 50 days is fine
        (30, 100, Tier.C, True),
    ],
)
def test_neglect_counts_from_the_holders_last_contact(
    last_contact: int | None, at: int, tier: Tier, neglected: bool
) -> None:
    limits = {"A": 90, "B": 90, "C": 60}
    contact = day(last_contact) if last_contact is not None else None
    assert neglect.is_neglected(tier, contact, day(0), day(at), limits) is neglected
