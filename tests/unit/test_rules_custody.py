from __future__ import annotations

import pytest

from ledger.errors import RuleViolation
from ledger.rules.custody import check_held, check_new_holder, check_unheld


@pytest.mark.parametrize(
    ("check", "args", "code"),
    [
        (check_unheld, ("c1", None), None),
        (check_unheld, ("c1", "rep"), "already_held"),
        (check_held, ("c1", "rep"), None),
        (check_held, ("c1", None), "customer_not_held"),
        (check_new_holder, ("c1", "rep", "other"), None),
        (check_new_holder, ("c1", "rep", "rep"), "same_holder"),
    ],
)
def test_a_customer_has_exactly_one_holder_at_a_time(
    check: object, args: tuple[str | None, ...], code: str | None
) -> None:
    assert callable(check)
    if code is None:
        check(*args)
        return
    with pytest.raises(RuleViolation) as refused:
        check(*args)
    assert refused.value.code == code
    assert refused.value.params["customer_id"] == "c1"


def test_check_held_returns_the_current_holder() -> None:
    assert check_held("c1", "rep-7") == "rep-7"
