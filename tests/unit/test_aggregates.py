from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.customer import Customer
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    Role,
    Seniority,
    Source,
    TeamRole,
    Tier,
    TransferReason,
)
from ledger.errors import InvalidInput, NotFound, RuleViolation
from ledger.staff import Staff
from tests.clock import day


def new_customer() -> Customer:
    return Customer("Acme", Source.COMPANY_INBOUND, "hotline-1", "north", day(0), "system")


def test_every_event_carries_business_time_actor_and_recording_time() -> None:
    customer = new_customer()
    customer.assign(
        "rep-1", "allocation_team_decision", "new lead", 0, False, [], occurred_at=day(1), by="m1"
    )
    registered, assigned = customer.collect_events()
    assert isinstance(registered, Customer.Registered)
    assert isinstance(assigned, Customer.Assigned)
    assert registered.occurred_at == day(0) and registered.by == "system"
    assert assigned.occurred_at == day(1) and assigned.by == "m1"
    assert assigned.timestamp > day(1)


def test_a_signed_contract_waits_for_service_and_technical_staff() -> None:
    customer = new_customer()
    assert not customer.handoff_pending
    customer.sign_contract("CT-1", Decimal(1000), day(1), "m1")
    assert customer.handoff_pending
    customer.add_team_member("svc", TeamRole.SERVICE, day(2), "m1")
    assert customer.handoff_pending
    customer.add_team_member("tech", TeamRole.TECHNICAL, day(3), "m1")
    assert not customer.handoff_pending


def test_a_callback_must_name_a_recorded_contact_and_a_score_from_1_to_5() -> None:
    customer = new_customer()
    with pytest.raises(NotFound):
        customer.verify_contact("nope", "cb", CallbackOutcome.CONFIRMED, 4, "", day(1), "cb")
    customer.record_contact(
        "k1", "rep", ContactKind.VISIT, ContactChannel.IN_PERSON, "", False, "", "", day(1), "rep"
    )
    with pytest.raises(InvalidInput) as refused:
        customer.verify_contact("k1", "cb", CallbackOutcome.CONFIRMED, 6, "", day(2), "cb")
    assert refused.value.code == "satisfaction_out_of_range"
    customer.verify_contact("k1", "cb", CallbackOutcome.CONFIRMED, 5, "", day(2), "cb")
    callback = customer.collect_events()[-1]
    assert isinstance(callback, Customer.ContactVerified)
    assert (callback.contact_id, callback.satisfaction) == ("k1", 5)


def test_an_expense_is_claimed_once_per_contact() -> None:
    customer = new_customer()
    customer.record_contact(
        "k1", "rep", ContactKind.TRIP, ContactChannel.IN_PERSON, "", True, "", "", day(1), "rep"
    )
    customer.claim_expense("k1", Decimal("120.50"), day(2), "rep")
    with pytest.raises(RuleViolation) as refused:
        customer.claim_expense("k1", Decimal(10), day(3), "rep")
    assert refused.value.code == "expense_already_claimed"


def test_a_holders_contacts_keep_the_last_contact_date() -> None:
    customer = new_customer()
    customer.assign("rep", "allocation_team_decision", "", 0, False, [], day(1), "m")
    for n in (5, 3):
        customer.record_contact(
            f"k{n}", "rep", ContactKind.CALL, ContactChannel.COMPANY_PHONE, "", False, "", "",
            day(n), "rep",
        )  # fmt: skip
    customer.record_contact(
        "k9",
        "other",
        ContactKind.CALL,
        ContactChannel.COMPANY_PHONE,
        "",
        False,
        "",
        "",
        day(9),
        "o",
    )
    assert customer.last_holder_contact_at == day(5)


def test_a_reassignment_remembers_when_the_customer_left_its_holder() -> None:
    customer = new_customer()
    customer.assign("rep-1", "r", "", 0, False, [], occurred_at=day(1), by="m")
    customer.reassign(
        "rep-1", "rep-2", TransferReason.ROTATION, None, "r", "", 0, [], None, day(9), "m"
    )
    assert customer.holder == "rep-2"
    assert customer.held_since == day(9)
    assert customer.released_from == {"rep-1": [day(9).isoformat(), "rotation"]}
    assert customer.ever_held


def test_a_staff_book_counts_held_customers_by_tier() -> None:
    staff = Staff("Li", Role.SALES_REP, Seniority.SENIOR, "t", "north", day(0), "system")
    staff.book_customer("c1", Tier.A, day(1), "m")
    staff.book_customer("c2", Tier.C, day(1), "m")
    staff.retier_customer("c2", Tier.A, day(2), "m")
    assert staff.count_tier(Tier.A) == 2
    staff.unbook_customer("c1", day(3), "m")
    assert staff.count_tier(Tier.A) == 1
