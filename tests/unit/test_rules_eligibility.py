from __future__ import annotations

import pytest

from ledger.enums import Role, StaffStatus
from ledger.errors import RuleViolation
from ledger.rules.eligibility import check_active, check_can_hold


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        (Role.SALES_REP, StaffStatus.ACTIVE, None),
        (Role.SALES_REP, StaffStatus.LEAVING, "staff_leaving"),
        (Role.SALES_REP, StaffStatus.DEPARTED, "staff_departed"),
        (Role.SERVICE, StaffStatus.ACTIVE, "not_sales_staff"),
        (Role.MANAGER, StaffStatus.ACTIVE, "not_sales_staff"),
        (Role.CALLBACK, StaffStatus.DEPARTED, "staff_departed"),
    ],
)
def test_only_active_sales_staff_can_hold_customers(
    role: Role, status: StaffStatus, code: str | None
) -> None:
    if code is None:
        check_can_hold("s1", role, status)
        return
    with pytest.raises(RuleViolation) as refused:
        check_can_hold("s1", role, status)
    assert refused.value.code == code
    assert "s1" in refused.value.message


@pytest.mark.parametrize("status", [StaffStatus.ACTIVE, StaffStatus.LEAVING])
def test_staff_who_have_not_departed_may_act(status: StaffStatus) -> None:
    check_active("s1", status)


def test_a_departed_person_may_not_act_on_customers() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_active("s1", StaffStatus.DEPARTED)
    assert refused.value.code == "staff_departed"
