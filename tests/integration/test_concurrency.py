"""Two writers racing for the same customer: exactly one wins, the other is told why."""

from __future__ import annotations

import threading
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from tests.clock import T0, day


def race(store: LedgerSettings, customer: UUID, reps: list[UUID], by: str) -> list[str]:
    """Each thread has its own application (no shared cache), released together by a barrier."""
    apps = [OwnershipLedger(store) for _ in reps]
    for app in apps:
        app.customer(customer)  # warm each cache with the unheld customer
    barrier = threading.Barrier(len(reps))
    outcomes: list[str] = []

    def assign(app: OwnershipLedger, rep: UUID) -> None:
        barrier.wait()
        try:
            app.assign_customer(customer, rep, day(1), by)
            outcomes.append("won")
        except LedgerError as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=assign, args=pair) for pair in zip(apps, reps, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for app in apps:
        app.close()
    return outcomes


def test_concurrent_assignments_of_one_customer_have_exactly_one_winner(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    allocator = str(ledger.join_staff("alloc", Role.ALLOCATION_TEAM, None, "t", "n", T0).id)
    reps = [
        ledger.join_staff(f"rep{i}", Role.SALES_REP, Seniority.SENIOR, "t", "n", T0).id
        for i in range(4)
    ]
    for round_ in range(5):
        customer = ledger.register_customer(f"c{round_}", Source.IMPORTED, day(0)).id
        outcomes = race(store, customer, reps, allocator)
        assert sorted(outcomes) == ["already_held"] * 3 + ["won"]
        holder = OwnershipLedger(store).customer(customer).holder
        books = [str(customer) in OwnershipLedger(store).staff(rep).book for rep in reps]
        assert books.count(True) == 1
        assert holder == str(reps[books.index(True)])
