"""Issue 5's record workflows on both stores: each step's allowed and refused paths."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

import pytest

from ledger.application import OwnershipLedger
from ledger.complaint import Complaint
from ledger.customer import Customer
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    KeyRole,
    Role,
    Seniority,
    TeamRole,
    Tier,
)
from ledger.errors import LedgerError
from ledger.trip import Trip
from projections.queries import customer_file
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from tests.clock import day
from tests.company import Company, facts


@pytest.fixture
def firm(ledger: OwnershipLedger) -> Company:
    company = Company(ledger)
    company.hire("boss", Role.MANAGER)
    company.hire("alloc", Role.ALLOCATION_TEAM)
    company.hire("rep", Role.SALES_REP, Seniority.SENIOR)
    company.hire("vp", Role.SALES_VP)
    company.hire("clerk", Role.CLERK)
    company.hire("caller", Role.CALLBACK)
    company.hire("service", Role.SERVICE)
    company.hire("tech", Role.TECHNICAL)
    cid = company.customer("Acme", Tier.B)
    ledger.assign_customer(cid, company["rep"], day(0), company.by("alloc"))
    return company


def refused(ledger: OwnershipLedger, code: str, command: Callable[[], object]) -> LedgerError:
    """The command is refused with `code`, and the store is unchanged."""
    before = ledger.event_count()
    with pytest.raises(LedgerError) as raised:
        command()
    assert raised.value.code == code, raised.value.message
    assert ledger.event_count() == before
    return raised.value


def test_a_trip_is_signed_filed_and_qualified_before_its_expense_is_approved(
    ledger: OwnershipLedger, firm: Company
) -> None:
    # A rep records a trip and claims its cost the same day.
    trip = ledger.record_trip(
        firm["Acme"], firm["rep"], day(3), firm.by("rep"), met=["buyer Zhou"],
        decision_maker_met=True, needs="spares", key_information="budget in Q3",
        next_step="quote", recorded_at=day(3),
    ).id  # fmt: skip
    ledger.claim_trip_expense(trip, Decimal("640.00"), day(3), firm.by("rep"))
    # Nothing is paid before the clerk signs the travel information qualified.
    refused(ledger, "expense_before_qualified", lambda: ledger.approve_trip_expense(trip, day(4), firm.by("boss")))  # fmt: skip
    # Each step belongs to one role, and comes in its order.
    refused(ledger, "wrong_role_for_step", lambda: ledger.review_trip(trip, True, "", day(4), firm.by("boss")))  # fmt: skip
    refused(ledger, "trip_step_out_of_order", lambda: ledger.qualify_trip(trip, "", day(4), firm.by("clerk")))  # fmt: skip
    # The VP sends it back; the rep amends it (a new event); the VP signs.
    ledger.review_trip(trip, False, "who else was there?", day(4), firm.by("vp"))
    refused(ledger, "trip_step_out_of_order", lambda: ledger.backfill_trip(trip, ["x"], day(4), firm.by("clerk")))  # fmt: skip
    ledger.amend_trip(trip, {"met": ["buyer Zhou", "engineer Qian"]}, day(5), firm.by("rep"))
    ledger.review_trip(trip, True, "signed", day(5), firm.by("vp"))
    # The clerk files it into the customer file and qualifies it; then the manager approves.
    ledger.backfill_trip(trip, ["needs: spares", "next: quote"], day(6), firm.by("clerk"))
    ledger.qualify_trip(trip, "travel information qualified", day(6), firm.by("clerk"))
    ledger.approve_trip_expense(trip, day(7), firm.by("boss"))
    refused(ledger, "expense_already_approved", lambda: ledger.approve_trip_expense(trip, day(7), firm.by("boss")))  # fmt: skip
    history = [type(e).__name__ for e in ledger.events.get(trip)]
    assert history == [
        "Recorded", "ExpenseClaimed", "Reviewed", "Amended", "Reviewed", "Backfilled",
        "Qualified", "ExpenseApproved",
    ]  # fmt: skip
    filed = facts(ledger, firm["Acme"], Customer.TripFiled)
    assert [(e.trip_id, e.entries) for e in filed] == [(str(trip), ["needs: spares", "next: quote"])]  # fmt: skip


def test_callbacks_are_made_by_the_phone_team_and_a_discrepancy_outlives_the_payment(
    ledger: OwnershipLedger, firm: Company, store: object
) -> None:
    trip = ledger.record_trip(firm["Acme"], firm["rep"], day(3), firm.by("rep")).id
    for who in ("rep", "boss"):  # the traveller-holder, and a manager not on the phone team

        def verify(who: str = who) -> object:
            return ledger.verify_trip(
                trip, firm[who], CallbackOutcome.CONFIRMED, day(4), firm.by(who)
            )

        refused(ledger, "callback_not_callback_team", verify)
    refused(ledger, "discrepancy_without_detail", lambda: ledger.verify_trip(trip, firm["caller"], CallbackOutcome.DISCREPANCY, day(4), firm.by("caller")))  # fmt: skip
    ledger.verify_trip(
        trip, firm["caller"], CallbackOutcome.DISCREPANCY, day(4), firm.by("caller"),
        satisfaction=3, differences="one day, not two", problems="slow delivery",
    )  # fmt: skip
    for step in (
        lambda: ledger.review_trip(trip, True, "", day(5), firm.by("vp")),
        lambda: ledger.backfill_trip(trip, ["visited"], day(5), firm.by("clerk")),
        lambda: ledger.qualify_trip(trip, "", day(5), firm.by("clerk")),
        lambda: ledger.claim_trip_expense(trip, Decimal(90), day(5), firm.by("rep")),
        lambda: ledger.approve_trip_expense(trip, day(6), firm.by("boss")),
    ):
        step()
    loaded = ledger.trip(trip)
    assert isinstance(loaded, Trip) and loaded.approved and loaded.discrepancies == 1
    # The phone team's own pre-sales information call is a contact like any other (33).
    call = ledger.record_contact(
        firm["Acme"], firm["caller"], ContactKind.INFORMATION_CALL, ContactChannel.COMPANY_PHONE,
        day(6), firm.by("caller"), needs="asked about prices",
    )  # fmt: skip
    assert call.ref in ledger.customer(firm["Acme"]).contacts
    # ...and the agent who made it cannot be the one who verifies it.
    refused(ledger, "callback_not_independent", lambda: ledger.verify_contact(firm["Acme"], call.ref or "", firm["caller"], CallbackOutcome.CONFIRMED, day(7), firm.by("caller")))  # fmt: skip


def test_a_complaint_closes_only_when_rechecked_confirmed_and_fed_back(
    ledger: OwnershipLedger, firm: Company
) -> None:
    cid, service, caller = firm["Acme"], firm.by("service"), firm.by("caller")
    ref = ledger.log_complaint(cid, "late delivery", day(2), firm.by("rep"), form={"product": "valve"}).ref  # fmt: skip
    assert ref is not None
    error = refused(ledger, "complaint_close_incomplete", lambda: ledger.close_complaint(ref, "done", day(3), service))  # fmt: skip
    assert error.params["missing"] == [
        "reply", "investigation", "result re-checked", "callback confirming satisfaction",
        "result fed back",
    ]  # fmt: skip
    refused(ledger, "wrong_role_for_step", lambda: ledger.reply_complaint(ref, "hi", day(2), firm.by("rep")))  # fmt: skip
    ledger.reply_complaint(ref, "we are on it", day(4), service)  # 48 h later: late for 24 h
    refused(ledger, "complaint_step_out_of_order", lambda: ledger.recheck_complaint(ref, "ok", day(4), service))  # fmt: skip
    refused(ledger, "investigation_incomplete", lambda: ledger.investigate_complaint(ref, "carrier", "", "", day(4), service))  # fmt: skip
    ledger.investigate_complaint(ref, "carrier", "re-ship", "2nd carrier", day(5), service, "COO")
    ledger.recheck_complaint(ref, "delivered", day(6), service)
    ledger.confirm_complaint(ref, 2, "still unhappy", day(7), caller)  # not a confirmation
    ledger.feed_back_complaint(ref, ["operations", "design"], "carrier review", day(7), service)
    error = refused(ledger, "complaint_close_incomplete", lambda: ledger.close_complaint(ref, "done", day(7), service))  # fmt: skip
    assert error.params["missing"] == ["callback confirming satisfaction"]
    ledger.confirm_complaint(ref, 4, "happy now", day(8), caller)
    ledger.close_complaint(ref, "re-shipped", day(8), service)
    assert ledger.customer(cid).open_complaints == {}
    replied = facts(ledger, UUID(ref), Complaint.Replied)
    assert [e.late for e in replied] == [True]
    refused(ledger, "complaint_closed", lambda: ledger.reply_complaint(ref, "again", day(9), service))  # fmt: skip


def test_company_channels_flag_private_lines_and_refuse_them_as_the_customers_channel(
    ledger: OwnershipLedger, firm: Company
) -> None:
    cid, boss = firm["Acme"], firm.by("boss")
    ledger.register_channel("+86 400 800 0001", "phone", "hotline", day(0), boss)
    refused(ledger, "channel_already_registered", lambda: ledger.register_channel("+86 (400) 800-0001", "phone", "x", day(0), boss))  # fmt: skip
    refused(ledger, "private_channel_refused", lambda: ledger.set_customer_channel(cid, "+86 139 0000 1111", day(1), boss))  # fmt: skip
    ledger.set_customer_channel(cid, "+864008000001", day(1), boss)
    assert ledger.customer(cid).contact_channel == "+864008000001"
    on_hotline = ledger.record_contact(
        cid, firm["rep"], ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(2), firm.by("rep"),
        channel_address="+86 400 800 0001", asked_for="Wang", recorded_at=day(2),
    )  # fmt: skip
    on_mobile = ledger.record_contact(
        cid, firm["rep"], ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(2), firm.by("rep"),
        channel_address="+86 139 0000 1111", recorded_at=day(12),
    )  # fmt: skip
    ledger.retire_channel("+86 400 800 0001", "number given up", day(20), boss)
    after = ledger.record_contact(
        cid, firm["rep"], ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(21), firm.by("rep"),
        channel_address="+86 400 800 0001", recorded_at=day(21),
    )  # fmt: skip
    flags = {
        e.contact_id: (e.company_channel, e.late, e.asked_for)
        for e in facts(ledger, cid, Customer.ContactRecorded)
    }
    assert flags[on_hotline.ref or ""] == (True, False, "Wang")
    assert flags[on_mobile.ref or ""] == (False, True, None)  # ten days late, and not the company's
    assert flags[after.ref or ""] == (False, False, None)


def test_hand_off_pending_until_service_and_technical_join_and_sales_service_is_drift(
    ledger: OwnershipLedger, firm: Company, store: object
) -> None:
    cid = firm["Acme"]
    ledger.sign_contract(cid, "CT-1", Decimal(50000), day(2), firm.by("rep"))
    assert ledger.customer(cid).handoff_pending
    ledger.add_team_member(cid, firm["service"], TeamRole.SERVICE_LEAD, day(3), firm.by("boss"))
    assert ledger.customer(cid).handoff_pending
    ledger.add_team_member(cid, firm["tech"], TeamRole.TECHNICAL, day(4), firm.by("boss"))
    customer = ledger.customer(cid)
    assert not customer.handoff_pending and customer.holder == firm.by("rep")
    drift = ledger.record_contact(cid, firm["rep"], ContactKind.SERVICE, ContactChannel.IN_PERSON, day(5), firm.by("rep"), recorded_at=day(5))  # fmt: skip
    proper = ledger.record_contact(cid, firm["service"], ContactKind.SERVICE, ContactChannel.IN_PERSON, day(5), firm.by("service"), recorded_at=day(5))  # fmt: skip
    flags = {e.contact_id: e.handoff_drift for e in facts(ledger, cid, Customer.ContactRecorded)}
    assert flags == {drift.ref: True, proper.ref: False}


def test_key_people_changes_warn_and_grades_need_financial_evidence(
    ledger: OwnershipLedger, firm: Company
) -> None:
    cid, clerk = firm["Acme"], firm.by("clerk")
    ledger.record_key_contact(cid, "Mr Gao", "GM", KeyRole.DECISION_MAKER, day(1), clerk)
    ledger.record_key_contact(cid, "Ms Lin", "CTO", KeyRole.INFLUENCER, day(1), clerk)
    ledger.record_key_contact(cid, "Mr Gao", "GM", KeyRole.DECISION_MAKER, day(2), clerk)
    assert not facts(ledger, cid, Customer.KeyPersonnelChangeWarned)  # fmt: skip
    ledger.record_key_contact(cid, "Ms Deng", "GM", KeyRole.DECISION_MAKER, day(3), clerk)
    warned = facts(ledger, cid, Customer.KeyPersonnelChangeWarned)
    assert [(w.previous, w.person) for w in warned] == [("Mr Gao", "Ms Deng")]
    boss = firm.by("boss")
    refused(ledger, "grading_without_financial_evidence", lambda: ledger.grade_customer(cid, Tier.A, "uses us daily", day(4), boss, {"usage": 300}))  # fmt: skip
    refused(ledger, "grading_unknown_input", lambda: ledger.grade_customer(cid, Tier.A, "?", day(4), boss, {"revenue": 9, "mood": 1}))  # fmt: skip
    ledger.grade_customer(cid, Tier.A, "periodic evaluation", day(4), boss, {"revenue": 9e6, "loyalty": 8})  # fmt: skip
    assert ledger.customer(cid).tier is Tier.A


def test_the_read_models_show_trips_flags_complaint_steps_and_warnings(
    ledger: OwnershipLedger, firm: Company, models: ReadModels
) -> None:
    cid = firm["Acme"]
    trip = ledger.record_trip(cid, firm["rep"], day(3), firm.by("rep"), recorded_at=day(15)).id
    ledger.verify_trip(trip, firm["caller"], CallbackOutcome.DISCREPANCY, day(16), firm.by("caller"), differences="no meeting")  # fmt: skip
    ledger.record_contact(cid, firm["rep"], ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(4), firm.by("rep"), asked_for="Wang", recorded_at=day(4))  # fmt: skip
    ledger.record_key_contact(cid, "Mr Gao", "GM", KeyRole.DECISION_MAKER, day(1), firm.by("clerk"))
    ledger.record_key_contact(
        cid, "Ms Deng", "GM", KeyRole.DECISION_MAKER, day(5), firm.by("clerk")
    )
    ref = ledger.log_complaint(cid, "late", day(5), firm.by("rep"), form={"product": "valve"}).ref
    assert ref is not None
    ledger.reply_complaint(ref, "on it", day(5), firm.by("service"))
    models.catch_up()
    with models.read() as tx:
        file = customer_file(tx, str(cid))
        discipline = REPORTS["discipline"](tx, Period(at=day(30), start=day(0)))
        control = REPORTS["control"](tx, Period(at=day(30), start=day(0)))
    assert [(t["late"], t["discrepancies"], t["step"]) for t in file["trips"]] == [
        (1, 1, "recorded")
    ]
    assert [w["detail"] for w in file["warnings"]] == ["decision_maker: Mr Gao replaced by Ms Deng"]
    assert [(k["role"], k["person"]) for k in file["key_people"]] == [("decision_maker", "Ms Deng")]
    assert [(c["state"], c["form"]) for c in file["complaints"]] == [
        ("replied", '{"product": "valve"}')
    ]
    assert [k["asked_for"] for k in discipline["asked_for_named_person"]] == ["Wang"]
    assert [k.get("trip_id") for k in discipline["late_entries"]] == [str(trip)]
    assert [r["named_person_share"] for r in control["at_risk"]] == [1.0]


def test_callback_quality_counts_trip_records_and_discrepancies_found_after_payment(
    ledger: OwnershipLedger, firm: Company, models: ReadModels
) -> None:
    paid = ledger.record_trip(firm["Acme"], firm["rep"], day(3), firm.by("rep"), recorded_at=day(3)).id  # fmt: skip
    ledger.record_trip(firm["Acme"], firm["rep"], day(4), firm.by("rep"), recorded_at=day(4))
    ledger.claim_trip_expense(paid, Decimal(100), day(3), firm.by("rep"))
    ledger.review_trip(paid, True, "", day(4), firm.by("vp"))
    ledger.backfill_trip(paid, ["visited"], day(4), firm.by("clerk"))
    ledger.qualify_trip(paid, "", day(4), firm.by("clerk"))
    ledger.approve_trip_expense(paid, day(5), firm.by("boss"))
    ledger.verify_trip(paid, firm["caller"], CallbackOutcome.DISCREPANCY, day(9), firm.by("caller"), differences="no visit that week")  # fmt: skip
    models.catch_up()
    with models.read() as tx:
        report = REPORTS["callbacks"](tx, Period(at=day(20), start=day(0)))
    rep = next(r for r in report["per_rep"] if r["staff_id"] == firm.by("rep"))
    counts = {k: rep[k] for k in ("trip_records", "trip_records_unverified", "trip_discrepancies_reimbursed")}  # fmt: skip
    assert counts == {"trip_records": 2, "trip_records_unverified": 1, "trip_discrepancies_reimbursed": 1}  # fmt: skip
    found = report["trip_discrepancies_after_reimbursement"]
    assert [(r["trip_id"], r["differences"]) for r in found] == [(str(paid), "no visit that week")]
