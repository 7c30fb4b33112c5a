"""Two allocators race for one rep's last slot: the cap holds, exactly one of them wins."""

from __future__ import annotations

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from tests.clock import T0, day
from tests.races import assigning, loading, race


@pytest.mark.parametrize("runs", [20])
def test_two_assignments_racing_for_a_reps_last_slot_have_exactly_one_winner(
    ledger: OwnershipLedger, store: LedgerSettings, runs: int
) -> None:
    boss = str(ledger.join_staff("boss", Role.MANAGER, None, "t", "n", T0).id)
    ledger.adopt_policy({"max_customers_per_rep": 1}, T0, "one each", T0, boss)
    for run in range(runs):
        rep = ledger.join_staff(
            f"rep{run}", Role.SALES_REP, Seniority.SENIOR, f"t{run}", "n", T0
        ).id
        rivals = [ledger.register_customer(f"c{run}-{i}", Source.IMPORTED, T0).id for i in range(2)]
        outcomes = race(
            store,
            [assigning(c, rep, day(1), boss) for c in rivals],
            warm=loading(rep),
        )
        assert sorted(outcomes) == ["rep_customer_cap", "won"], f"run {run}: {outcomes}"
        fresh = OwnershipLedger(store.model_copy(update={"cache_size": None}))
        assert len(fresh.staff(rep).book) == 1
        holders = [fresh.customer(c).holder for c in rivals]
        assert sorted(map(str, holders)) == sorted([str(rep), "None"])
        fresh.close()
