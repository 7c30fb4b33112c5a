"""Two writers racing for the same customer: exactly one wins, the other is told why."""

from __future__ import annotations

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from tests.clock import T0, day
from tests.races import assigning, loading, race


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
        outcomes = race(
            store,
            [assigning(customer, rep, day(1), allocator) for rep in reps],
            warm=loading(customer),
        )
        assert sorted(outcomes) == ["already_held"] * 3 + ["won"]
        holder = OwnershipLedger(store).customer(customer).holder
        books = [str(customer) in OwnershipLedger(store).staff(rep).book for rep in reps]
        assert books.count(True) == 1
        assert holder == str(reps[books.index(True)])
