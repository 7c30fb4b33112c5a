"""The cheap per-command copy shares nothing a command could change, and old snapshots load."""

from __future__ import annotations

from copy import deepcopy
from decimal import Decimal

from eventsourcing.domain import Snapshot

from ledger.customer import Customer
from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source, TeamRole, Tier
from ledger.staff import Staff
from tests.clock import day


def customer_with_contacts() -> Customer:
    customer = Customer("Acme", Source.REP_PROSPECTED, None, "north", day(0), "system")
    for n in range(3):
        customer.record_contact(
            f"k{n}", "rep", ContactKind.CALL, ContactChannel.COMPANY_PHONE, "", False, "", "",
            day(1), "rep",
        )  # fmt: skip
    customer.add_team_member("svc", TeamRole.SERVICE, day(2), "m1")
    return customer


def test_a_copy_changes_independently_of_its_original() -> None:
    original = customer_with_contacts()
    clone = deepcopy(original)
    clone.record_contact(
        "k9", "rep2", ContactKind.VISIT, ContactChannel.IN_PERSON, "", True, "", "", day(3), "rep2"
    )
    clone.claim_expense("k0", Decimal("10"), day(3), "rep")
    clone.add_team_member("tech", TeamRole.TECHNICAL, day(3), "m1")
    assert "k9" not in original.contacts and "k0" not in original.claimed
    assert set(original.team) == {"svc"}
    assert original.version == clone.version - 3
    assert clone.contacts["k9"] == "rep2" and clone.claimed == {"k0": True}


def test_a_staff_copy_keeps_its_own_book() -> None:
    rep = Staff("Li", Role.SALES_REP, Seniority.SENIOR, "t1", "north", day(0), "system")
    rep.book_customer("c1", Tier.A, occurred_at=day(1), by="alloc")
    clone = deepcopy(rep)
    clone.book_customer("c2", Tier.B, occurred_at=day(2), by="alloc")
    assert set(rep.book) == {"c1"} and set(clone.book) == {"c1", "c2"}


def test_a_version_1_snapshot_of_a_customer_is_upcast() -> None:
    customer = customer_with_contacts()
    customer.claim_expense("k1", Decimal("5"), day(3), "rep")
    snapshot = Snapshot.take(customer)
    state = dict(snapshot.state)
    state.pop("class_version")  # what a release before version 2 stored
    state.pop("claimed")
    state["contacts"] = {"k0": ["rep", True, False], "k1": ["rep", False, True], "k2": ["rep", False, False]}  # fmt: skip
    old = Snapshot(
        originator_id=snapshot.originator_id,
        originator_version=snapshot.originator_version,
        timestamp=snapshot.timestamp,
        topic=snapshot.topic,
        state=state,
    )
    restored = old.mutate(None)
    assert isinstance(restored, Customer)
    assert restored.contacts == customer.contacts
    assert restored.claimed == {"k1": True}
