"""Only active sales staff may hold a customer for the company (seed F3, rules 57–59, 63)."""

from __future__ import annotations

from ledger.enums import SALES_ROLES, Role, StaffStatus
from ledger.errors import RuleViolation


def check_can_hold(staff_id: str, role: Role, status: StaffStatus) -> None:
    """A departed or leaving person takes on no customers, and only sales staff hold them."""
    if status is StaffStatus.DEPARTED:
        raise RuleViolation(
            "staff_departed",
            f"Staff {staff_id} has departed and can no longer hold customers.",
            staff_id=staff_id,
            rule="departure",
        )
    if status is StaffStatus.LEAVING:
        raise RuleViolation(
            "staff_leaving",
            f"Staff {staff_id} has announced a departure; leaving staff take on no customers.",
            staff_id=staff_id,
            rule="departure",
        )
    if role not in SALES_ROLES:
        raise RuleViolation(
            "not_sales_staff",
            f"Staff {staff_id} is {role.value}, not sales staff; only sales staff hold customers.",
            staff_id=staff_id,
            role=role.value,
            rule="eligibility",
        )


def check_active(staff_id: str, status: StaffStatus) -> None:
    """A departed person can no longer act on the company's customers."""
    if status is StaffStatus.DEPARTED:
        raise RuleViolation(
            "staff_departed",
            f"Staff {staff_id} has departed and can no longer act on customers.",
            staff_id=staff_id,
            rule="departure",
        )
