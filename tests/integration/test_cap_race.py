"""Two allocators race for one rep's last slot: the cap holds, exactly one of them wins."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from tests.clock import T0, day


def race_for_last_slot(
    store: LedgerSettings, rep: UUID, customers: list[UUID], by: str
) -> list[str]:
    apps = [OwnershipLedger(store) for _ in customers]
    for app in apps:
        app.staff(rep)  # each writer has already seen the rep's book with one free slot
    barrier = threading.Barrier(len(customers))
    outcomes: list[str] = []

    def assign(app: OwnershipLedger, customer: UUID) -> None:
        barrier.wait()
        try:
            app.assign_customer(customer, rep, day(1), by)
            outcomes.append("won")
        except LedgerError as refused:
            outcomes.append(refused.code)

    threads = [
        threading.Thread(target=assign, args=pair) for pair in zip(apps, customers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for app in apps:
        app.close()
    return outcomes


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
        outcomes = race_for_last_slot(store, rep, rivals, boss)
        assert sorted(outcomes) == ["rep_customer_cap", "won"], f"run {run}: {outcomes}"
        fresh = OwnershipLedger(store.model_copy(update={"cache_size": None}))
        assert len(fresh.staff(rep).book) == 1
        holders = [fresh.customer(c).holder for c in rivals]
        assert sorted(map(str, holders)) == sorted([str(rep), "None"])
        fresh.close()
