"""The walking ledger's use cases on each real store."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from ledger.application import OwnershipLedger
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
from ledger.errors import InvalidInput, LedgerError, NotFound
from ledger.settings import LedgerSettings
from tests.clock import T0, day


def hire(ledger: OwnershipLedger, role: Role, seniority: Seniority | None = None) -> UUID:
    return ledger.join_staff(
        f"{role.value}-{uuid4().hex[:4]}", role, seniority, "t1", "north", T0
    ).id


def test_a_customer_moves_from_registration_to_release_and_reloads_the_same(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    manager = str(hire(ledger, Role.MANAGER))
    wang = hire(ledger, Role.SALES_REP, Seniority.SENIOR)
    li = hire(ledger, Role.SALES_REP, Seniority.EXPERIENCED)
    acme = ledger.register_customer("Acme", Source.REP_PROSPECTED, day(0), channel="hotline").id
    ledger.grade_customer(acme, Tier.B, "value 80", day(0), manager, {"revenue": 80})
    ledger.assign_customer(acme, wang, day(1), manager)
    ledger.reassign_customer(acme, li, TransferReason.REBALANCE, day(5), manager, note="even load")
    receipt = ledger.release_customer(acme, TransferReason.MANAGER_DECISION, day(9), manager)
    assert receipt.version == 5

    reopened = OwnershipLedger(store)
    customer = reopened.customer(acme)
    assert customer.holder is None and customer.tier is Tier.B
    assert customer.released_from == {
        str(wang): [day(5).isoformat(), "rebalance"],
        str(li): [day(9).isoformat(), "manager_decision"],
    }
    assert reopened.staff(wang).book == {} and reopened.staff(li).book == {}
    history = [type(e).__name__ for e in reopened.events.get(acme)]
    assert history == ["Registered", "Graded", "Assigned", "Reassigned", "Released"]
    reopened.close()


def test_records_of_contact_callback_expense_contract_and_complaint_are_kept(
    ledger: OwnershipLedger,
) -> None:
    rep = hire(ledger, Role.SALES_REP, Seniority.NEW)
    caller = hire(ledger, Role.CALLBACK)
    service = hire(ledger, Role.SERVICE)
    acme = ledger.register_customer("Acme", Source.REP_PROSPECTED, day(0), str(rep)).id
    ledger.assign_customer(acme, rep, day(0), str(hire(ledger, Role.MANAGER)))
    contact = ledger.record_contact(
        acme, rep, ContactKind.TRIP, ContactChannel.IN_PERSON, day(2), str(rep),
        met="buyer Zhou", decision_maker_met=True, needs="spare parts", next_step="quote",
    ).ref  # fmt: skip
    assert contact is not None
    ledger.verify_contact(
        acme, contact, caller, CallbackOutcome.DISCREPANCY, day(4), str(caller), 2, "no visit"
    )
    ledger.claim_expense(acme, contact, Decimal("812.40"), day(5), str(rep))
    ledger.sign_contract(acme, "CT-9", Decimal(50000), day(6), str(rep))
    ledger.add_team_member(acme, service, TeamRole.SERVICE, day(7), "system")
    complaint = ledger.log_complaint(acme, "late delivery", day(8), "system").ref
    assert complaint is not None
    handler = str(service)
    ledger.reply_complaint(complaint, "on it", day(8), handler)
    ledger.investigate_complaint(complaint, "carrier", "re-ship", "2nd carrier", day(8), handler)
    ledger.recheck_complaint(complaint, "delivered", day(9), handler)
    ledger.confirm_complaint(complaint, 4, "happy", day(9), str(caller))
    ledger.feed_back_complaint(complaint, ["operations"], "carrier review", day(9), handler)
    ledger.close_complaint(complaint, "re-shipped", day(9), handler)

    customer = ledger.customer(acme)
    assert customer.contacts[contact] == str(rep) and customer.claimed == {contact: True}
    assert customer.last_holder_contact_at == day(2)
    assert customer.handoff_pending  # no technical staff yet
    assert customer.open_complaints == {}
    verified = [e for e in ledger.events.get(acme) if isinstance(e, Customer.ContactVerified)]
    assert verified[0].outcome is CallbackOutcome.DISCREPANCY and verified[0].satisfaction == 2


def refusals(ledger: OwnershipLedger) -> dict[str, Callable[[], object]]:
    """Commands that must be refused, each with the rule code it breaks."""
    manager = str(hire(ledger, Role.MANAGER))
    rep = hire(ledger, Role.SALES_REP, Seniority.SENIOR)
    gone = hire(ledger, Role.SALES_REP, Seniority.SENIOR)
    ledger.record_departure(gone, "resigned", day(1), manager, plan={})
    service = hire(ledger, Role.SERVICE)
    acme = ledger.register_customer("Acme", Source.IMPORTED, day(0)).id
    held = ledger.register_customer("Held", Source.IMPORTED, day(0)).id
    ledger.assign_customer(held, rep, day(1), manager)
    return {
        "staff_departed": lambda: ledger.assign_customer(acme, gone, day(2), manager),
        "not_sales_staff": lambda: ledger.assign_customer(acme, service, day(2), manager),
        "unknown_customer": lambda: ledger.assign_customer(uuid4(), rep, day(2), manager),
        "unknown_staff": lambda: ledger.assign_customer(acme, uuid4(), day(2), manager),
        "same_holder": lambda: ledger.reassign_customer(
            held, rep, TransferReason.REBALANCE, day(2), manager
        ),
        "already_held": lambda: ledger.assign_customer(held, rep, day(2), manager),
        "customer_not_held": lambda: ledger.release_customer(
            acme, TransferReason.NEGLECT, day(2), manager
        ),
        "departure_plan_incomplete": lambda: ledger.record_departure(rep, "", day(2), manager),
        "naive_time": lambda: ledger.assign_customer(acme, rep, day(2).replace(tzinfo=None), ""),
        "unknown_contact": lambda: ledger.claim_expense(acme, "k0", Decimal(1), day(2), manager),
    }


def test_every_refusal_names_its_rule_and_stores_nothing(ledger: OwnershipLedger) -> None:
    commands = refusals(ledger)
    before = ledger.event_count()
    for code, command in commands.items():
        with pytest.raises(LedgerError) as refused:
            command()
        assert refused.value.code == code
        assert refused.value.message
    assert ledger.event_count() == before


def test_unknown_ids_are_not_found_and_bad_values_are_invalid(ledger: OwnershipLedger) -> None:
    with pytest.raises(NotFound):
        ledger.customer(uuid4())
    with pytest.raises(NotFound):
        ledger.customer("not-a-uuid")
    staff = hire(ledger, Role.SALES_REP, Seniority.NEW)
    with pytest.raises(NotFound):
        ledger.customer(staff)  # a staff id is not a customer id
    with pytest.raises(InvalidInput):
        ledger.adopt_policy({"rotation_days": -1}, day(0), "", day(0), "m")


def test_policy_versions_are_events_and_rules_read_the_one_in_force(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    assert ledger.policy_in_force(day(0)).version == 0
    ledger.adopt_policy({"rotation_days": 365}, day(10), "shorter rotation", day(0), "m")
    ledger.adopt_policy({"rotation_days": 500}, day(20), "compromise", day(1), "m")
    reopened = OwnershipLedger(store)
    assert reopened.policy_in_force(day(9)).params.rotation_days == 730
    assert reopened.policy_in_force(day(15)).params.rotation_days == 365
    assert reopened.policy_in_force(day(30)).version == 2
    acme = reopened.register_customer("Acme", Source.IMPORTED, day(0)).id
    reopened.grade_customer(acme, Tier.C, "small", day(15), "m", {"revenue": 2})
    graded = list(reopened.events.get(acme))[-1]
    assert isinstance(graded, Customer.Graded)
    assert graded.policy_version == 1
    reopened.close()


def test_staff_changes_are_recorded(ledger: OwnershipLedger) -> None:
    rep = hire(ledger, Role.SALES_REP, Seniority.NEW)
    ledger.change_seniority(rep, Seniority.EXPERIENCED, "two years in post", day(1), "m")
    ledger.change_area(rep, "south", "rotation", day(2), "m")
    ledger.announce_departure(rep, day(30), "resigned", day(3), "m")
    staff = ledger.staff(rep)
    assert (staff.seniority, staff.area, staff.departure_effective) == (
        Seniority.EXPERIENCED,
        "south",
        day(30),
    )
    assert staff.status.value == "leaving"
