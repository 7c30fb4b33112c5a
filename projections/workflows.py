"""Handlers for the record workflows: trips and their callbacks, complaints step by step, the
customer's key people and early warnings, and the company's channel registry."""

from __future__ import annotations

from typing import Any

from ledger.channel import Channel
from ledger.complaint import Complaint
from ledger.customer import Customer
from ledger.development import Development, StationTarget, WeeklyProgress
from ledger.trip import Trip
from projections.handlers import as_json, handles, update_row
from projections.ownership import touch
from projections.schema import ts
from projections.store import Tx

# --- trips ---------------------------------------------------------------------------------


@handles(Trip.Recorded)
def trip_recorded(tx: Tx, e: Trip.Recorded, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_trip (trip_id, customer_id, staff_id, purpose, occurred_at, "
        "entered_at, late, step, met, decision_maker_met, needs, key_information, next_step) "
        "VALUES (:id, :c, :s, :purpose, :at, :entered, :late, 'recorded', :met, :dm, :needs, "
        ":info, :next)",
        {"id": str(e.originator_id), "c": e.customer_id, "s": e.staff_id, "purpose": e.purpose,
         "at": ts(e.occurred_at), "entered": ts(e.entered_at), "late": int(e.late),
         "met": as_json(e.met), "dm": int(e.decision_maker_met), "needs": e.needs,
         "info": e.key_information, "next": e.next_step},
    )  # fmt: skip
    touch(tx, e.customer_id, e.occurred_at)


def _trip(tx: Tx, e: Any, assignments: str, **values: Any) -> None:
    update_row(tx, "ledger_rm_trip", "trip_id", str(e.originator_id), e, assignments, **values)


@handles(Trip.Amended)
def trip_amended(tx: Tx, e: Trip.Amended, position: int) -> None:
    keep = ("needs", "key_information", "next_step")
    fields: dict[str, Any] = {k: e.changes[k] for k in keep if k in e.changes}
    if "met" in e.changes:
        fields["met"] = as_json(e.changes["met"])
    if "decision_maker_met" in e.changes:
        fields["decision_maker_met"] = int(bool(e.changes["decision_maker_met"]))
    sets = "".join(f", {name}=:{name}" for name in fields)
    _trip(tx, e, f"step='recorded', amendments=amendments+1{sets}", **fields)


@handles(Trip.Reviewed)
def trip_reviewed(tx: Tx, e: Trip.Reviewed, position: int) -> None:
    if e.signed:
        _trip(tx, e, "step='signed', signed_by=:by, signed_at=:at")
    else:
        _trip(tx, e, "step='returned'")


@handles(Trip.Backfilled)
def trip_backfilled(tx: Tx, e: Trip.Backfilled, position: int) -> None:
    _trip(tx, e, "step='backfilled', backfilled_by=:by, backfilled_at=:at")


@handles(Trip.Qualified)
def trip_qualified(tx: Tx, e: Trip.Qualified, position: int) -> None:
    _trip(tx, e, "step='qualified', qualified_by=:by, qualified_at=:at")


@handles(Trip.ExpenseClaimed)
def trip_expense_claimed(tx: Tx, e: Trip.ExpenseClaimed, position: int) -> None:
    _trip(tx, e, "expense=:amount", amount=str(e.amount))


@handles(Trip.ExpenseApproved)
def trip_expense_approved(tx: Tx, e: Trip.ExpenseApproved, position: int) -> None:
    _trip(tx, e, "expense_approved_by=:by, expense_approved_at=:at")


@handles(Trip.CallbackRecorded)
def trip_callback(tx: Tx, e: Trip.CallbackRecorded, position: int) -> None:
    row = tx.one("SELECT customer_id FROM ledger_rm_trip WHERE trip_id=:id", {"id": str(e.originator_id)})  # fmt: skip
    customer_id = row["customer_id"] if row else ""
    tx.execute(
        "INSERT INTO ledger_rm_trip_callback VALUES (:p, :id, :c, :caller, :reached, :outcome, "
        ":sat, :diff, :problems, :at)",
        {"p": position, "id": str(e.originator_id), "c": customer_id, "caller": e.caller,
         "reached": int(e.reached), "outcome": e.outcome.value, "sat": e.satisfaction,
         "diff": e.differences, "problems": e.problems, "at": ts(e.occurred_at)},
    )  # fmt: skip
    discrepancy = int(e.outcome.value == "discrepancy")
    _trip(tx, e, "callbacks=callbacks+1, discrepancies=discrepancies+:d", d=discrepancy)


@handles(Customer.TripFiled)
def trip_filed(tx: Tx, e: Customer.TripFiled, position: int) -> None:
    cid = str(e.originator_id)
    for seq, entry in enumerate(e.entries):
        tx.execute(
            "INSERT INTO ledger_rm_file_entry VALUES (:p, :seq, :c, :trip, :entry, :at, :by)",
            {"p": position, "seq": seq, "c": cid, "trip": e.trip_id, "entry": entry,
             "at": ts(e.occurred_at), "by": e.by},
        )  # fmt: skip
    touch(tx, cid, e.occurred_at)


# --- complaints --------------------------------------------------------------------------


def _complaint(tx: Tx, e: Any, assignments: str, **values: Any) -> None:
    update_row(
        tx, "ledger_rm_complaint", "complaint_id", e.originator_id.hex, e, assignments, **values
    )


@handles(Complaint.Logged)
def complaint_form(tx: Tx, e: Complaint.Logged, position: int) -> None:
    """The customer-side row is written by Customer.ComplaintLogged; this adds the form."""
    _complaint(tx, e, "form=:form", form=as_json(e.form))


@handles(Complaint.Replied)
def complaint_replied(tx: Tx, e: Complaint.Replied, position: int) -> None:
    _complaint(tx, e, "state='replied', replied_at=:at, reply_late=:late", late=int(e.late))


@handles(Complaint.Investigated)
def complaint_investigated(tx: Tx, e: Complaint.Investigated, position: int) -> None:
    _complaint(
        tx, e, "state='investigating', cause=:cause, corrective=:corrective, "
        "preventive=:preventive, escalated_to=:escalated",
        cause=e.cause, corrective=e.corrective, preventive=e.preventive, escalated=e.escalated_to,
    )  # fmt: skip


@handles(Complaint.Rechecked)
def complaint_rechecked(tx: Tx, e: Complaint.Rechecked, position: int) -> None:
    _complaint(tx, e, "state='rechecked', rechecked_at=:at")


@handles(Complaint.SatisfactionConfirmed)
def complaint_confirmed(tx: Tx, e: Complaint.SatisfactionConfirmed, position: int) -> None:
    state = "confirmed" if e.satisfaction >= 3 else "rechecked"
    _complaint(tx, e, "state=:state, satisfaction=:sat", state=state, sat=e.satisfaction)


@handles(Complaint.FedBack)
def complaint_fed_back(tx: Tx, e: Complaint.FedBack, position: int) -> None:
    _complaint(tx, e, "state='fed_back', fed_back_to=:to", to=",".join(e.to))


@handles(Complaint.Closed)
def complaint_closed(tx: Tx, e: Complaint.Closed, position: int) -> None:
    _complaint(tx, e, "state='closed'")


# --- the customer's side and the company's channels ---------------------------------------


@handles(Customer.KeyContactRecorded)
def key_contact(tx: Tx, e: Customer.KeyContactRecorded, position: int) -> None:
    cid, role = str(e.originator_id), e.role.value
    tx.execute("DELETE FROM ledger_rm_key_person WHERE customer_id=:c AND role=:r", {"c": cid, "r": role})  # fmt: skip
    tx.execute(
        "INSERT INTO ledger_rm_key_person VALUES (:c, :r, :person, :title, :at)",
        {"c": cid, "r": role, "person": e.person, "title": e.title, "at": ts(e.occurred_at)},
    )
    touch(tx, cid, e.occurred_at)


@handles(Customer.KeyPersonnelChangeWarned)
def key_person_changed(tx: Tx, e: Customer.KeyPersonnelChangeWarned, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_warning VALUES (:p, :c, 'key_personnel_change', :detail, :at)",
        {"p": position, "c": str(e.originator_id), "at": ts(e.occurred_at),
         "detail": f"{e.role.value}: {e.previous} replaced by {e.person}"},
    )  # fmt: skip


@handles(Customer.ContactChannelSet)
def contact_channel(tx: Tx, e: Customer.ContactChannelSet, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_customer SET contact_channel=:a WHERE customer_id=:c",
        {"a": e.address, "c": str(e.originator_id)},
    )


@handles(Channel.Registered)
def channel_registered(tx: Tx, e: Channel.Registered, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_channel (channel_id, address, kind, assigned_to, registered_at) "
        "VALUES (:id, :a, :k, :to, :at)",
        {"id": str(e.originator_id), "a": e.address, "k": e.kind, "to": e.assigned_to,
         "at": ts(e.occurred_at)},
    )  # fmt: skip


@handles(Channel.Reassigned)
def channel_reassigned(tx: Tx, e: Channel.Reassigned, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_channel SET assigned_to=:to WHERE channel_id=:id",
        {"to": e.assigned_to, "id": str(e.originator_id)},
    )


@handles(Channel.Retired)
def channel_retired(tx: Tx, e: Channel.Retired, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_channel SET retired_at=:at WHERE channel_id=:id",
        {"id": str(e.originator_id), "at": ts(e.occurred_at)},
    )


# --- station customer development (129–135) ---------------------------------------------


@handles(Development.Planned)
def development_planned(tx: Tx, e: Development.Planned, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_development (development_id, station, manager_id, "
        "area_manager_id, target, level, step, planned_at) VALUES (:id, :station, :m, :am, "
        ":target, :level, 'planned', :at)",
        {"id": str(e.originator_id), "station": e.station, "m": e.manager_id,
         "am": e.area_manager_id, "target": e.target, "level": e.level, "at": ts(e.occurred_at)},
    )  # fmt: skip


def _development(tx: Tx, e: Any, assignments: str, **values: Any) -> None:
    update_row(
        tx,
        "ledger_rm_development",
        "development_id",
        str(e.originator_id),
        e,
        assignments,
        **values,
    )


@handles(Development.Visited)
def development_visited(tx: Tx, e: Development.Visited, position: int) -> None:
    _development(tx, e, "step='visited', visited_at=:at")


@handles(Development.LedgerEntered)
def development_entered(tx: Tx, e: Development.LedgerEntered, position: int) -> None:
    _development(tx, e, "step='entered', entered_at=:at")


@handles(Development.Succeeded)
def development_succeeded(tx: Tx, e: Development.Succeeded, position: int) -> None:
    _development(
        tx, e, "step='succeeded', succeeded_at=:at, card_ref=:card, first_top_up=:amount",
        card=e.card_ref, amount=str(e.first_top_up),
    )  # fmt: skip


@handles(Development.Filed)
def development_filed(tx: Tx, e: Development.Filed, position: int) -> None:
    _development(tx, e, "step='filed', filed_at=:at, filing_ref=:ref", ref=e.filing_ref)


@handles(WeeklyProgress.Submitted)
def weekly_form(tx: Tx, e: WeeklyProgress.Submitted, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_weekly_form VALUES (:am, :week, :at, :n)",
        {"am": e.area_manager_id, "week": e.week_ending, "at": ts(e.occurred_at),
         "n": e.developments},
    )  # fmt: skip


@handles(StationTarget.Agreed, StationTarget.Revised)
def station_target(tx: Tx, e: Any, position: int) -> None:
    station, month = e.station, e.month
    tx.execute(
        "DELETE FROM ledger_rm_station_target WHERE station=:s AND month=:m",
        {"s": station, "m": month},
    )
    tx.execute(
        "INSERT INTO ledger_rm_station_target VALUES (:s, :m, :cards, :top_up, :at)",
        {"s": station, "m": month, "cards": e.cards, "top_up": str(e.top_up),
         "at": ts(e.occurred_at)},
    )  # fmt: skip
