"""A process's cached aggregates never hide what another process wrote (ledger/cache.py).

Each ledger here stands for a process of its own (a server and the CLI, or two servers): it has
its own cache over the same store, and checks the store's position, not every aggregate, before
a command or a read.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from ledger.application import OwnershipLedger
from ledger.commands.importing import staff_id
from ledger.enums import Role, Seniority, Source, StaffStatus
from ledger.errors import InvalidInput, RuleViolation
from ledger.settings import LedgerSettings
from tests.clock import T0, day


@pytest.fixture
def two(store: LedgerSettings) -> Iterator[tuple[OwnershipLedger, OwnershipLedger]]:
    first, second = OwnershipLedger(store), OwnershipLedger(store)
    yield first, second
    first.close()
    second.close()


def company(ledger: OwnershipLedger) -> tuple[str, UUID]:
    allocator = str(ledger.join_staff("alloc", Role.ALLOCATION_TEAM, None, "t", "n", T0).id)
    rep = ledger.join_staff("rep", Role.SALES_REP, Seniority.SENIOR, "t", "n", T0).id
    return allocator, rep


def test_a_departure_announced_elsewhere_stops_the_next_assignment(
    two: tuple[OwnershipLedger, OwnershipLedger],
) -> None:
    here, elsewhere = two
    allocator, rep = company(here)
    first, second = (here.register_customer(n, Source.IMPORTED, day(0)).id for n in ("a", "b"))
    here.assign_customer(first, rep, day(1), allocator)  # the rep is now in this cache
    elsewhere.announce_departure(rep, day(30), "moving", day(2), allocator)
    assert here.staff_view(rep).status_at(day(3)) is StaffStatus.LEAVING
    with pytest.raises(RuleViolation) as refused:
        here.assign_customer(second, rep, day(3), allocator)
    assert refused.value.code == "staff_leaving"
    assert here.customer_view(second).holder is None


def test_a_policy_adopted_elsewhere_is_in_force_here_at_once(
    two: tuple[OwnershipLedger, OwnershipLedger],
) -> None:
    here, elsewhere = two
    boss = str(here.join_staff("boss", Role.MANAGER, None, "t", "n", T0).id)
    assert here.policy_in_force(day(1)).version == 0  # no policy yet: remembered as absent
    elsewhere.adopt_policy({"max_customers_per_rep": 7}, day(0), "tighter", day(0), boss)
    in_force = here.policy_in_force(day(1))
    assert in_force.version == 1 and in_force.params.max_customers_per_rep == 7


def test_after_a_long_run_of_other_writes_the_cache_starts_over(
    two: tuple[OwnershipLedger, OwnershipLedger], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ledger.service.RESET_GAP", 5)
    here, elsewhere = two
    allocator, rep = company(here)
    customer = here.register_customer("c", Source.IMPORTED, day(0)).id
    assert here.staff_view(rep).status_at(day(1)) is StaffStatus.ACTIVE
    for n in range(8):
        elsewhere.register_customer(f"other {n}", Source.IMPORTED, day(1))
    elsewhere.announce_departure(rep, day(30), "moving", day(2), allocator)
    assert here.staff_view(rep).status_at(day(3)) is StaffStatus.LEAVING
    with pytest.raises(RuleViolation):
        here.assign_customer(customer, rep, day(3), allocator)


def test_a_failed_import_leaves_no_unsaved_change_in_the_cache(ledger: OwnershipLedger) -> None:
    staff = {"kind": "staff", "occurred_at": T0.isoformat(), "staff_ref": "r", "name": "R",
             "role": "sales_rep", "seniority": "senior", "team": "t", "area": "n"}  # fmt: skip
    rows = [staff] + [
        {"kind": "customer", "occurred_at": T0.isoformat(), "customer_ref": f"c{n}", "name": f"C{n}"}
        for n in range(3)
    ] + [
        {"kind": "assign", "occurred_at": day(1).isoformat(), "customer_ref": "c0", "staff_ref": "r"},
        {"kind": "assign", "occurred_at": day(1).isoformat(), "customer_ref": "c1", "staff_ref": "r"},
        {"kind": "release", "occurred_at": day(2).isoformat(), "customer_ref": "c2"},  # not held
    ]  # fmt: skip
    with pytest.raises(InvalidInput):
        ledger.import_history(rows, batch=4)  # the staff and customers are saved, then it fails
    rep = ledger.staff_view(staff_id("r"))
    assert rep.book == {} and not rep.pending_events  # the failed batch's bookings never happened
    stored = OwnershipLedger(ledger.settings.model_copy(update={"cache_size": None}))
    assert stored.staff(staff_id("r")).book == {}
    stored.close()
