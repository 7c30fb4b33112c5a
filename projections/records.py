"""Handlers for the customer file's records: contacts, callbacks, expenses, contracts, complaints."""

from __future__ import annotations

from ledger.access import FileRead
from ledger.customer import Customer
from projections.handlers import handles
from projections.ownership import holder_of, touch
from projections.schema import ts
from projections.store import Tx


@handles(Customer.ContactRecorded)
def contact_recorded(tx: Tx, e: Customer.ContactRecorded, position: int) -> None:
    cid, at = str(e.originator_id), ts(e.occurred_at)
    by_holder = holder_of(tx, cid) == e.staff_id
    company = None if e.company_channel is None else int(e.company_channel)
    tx.insert_later(
        "ledger_rm_contact",
        "INSERT INTO ledger_rm_contact (contact_id, customer_id, staff_id, kind, channel, private, "
        "occurred_at, recorded_at, actor, by_holder, channel_address, company_channel, asked_for, "
        "late, handoff_drift) VALUES (:id, :c, :s, :kind, :channel, :private, :at, :rec, :by, "
        ":by_holder, :address, :company, :asked_for, :late, :drift)",
        {"id": e.contact_id, "c": cid, "s": e.staff_id, "kind": e.kind.value,
         "channel": e.channel.value, "private": int(e.channel.is_private or company == 0),
         "at": at, "rec": ts(e.entered_at or e.timestamp), "by": e.by,
         "by_holder": int(by_holder), "address": e.channel_address, "company": company,
         "asked_for": e.asked_for, "late": int(e.late), "drift": int(e.handoff_drift)},
    )  # fmt: skip
    tx.raise_later("ledger_rm_customer", "customer_id", cid, "last_contact_at", at)
    if by_holder:
        tx.raise_later("ledger_rm_customer", "customer_id", cid, "last_holder_contact_at", at)
    touch(tx, cid, e.occurred_at)


@handles(Customer.ContactVerified)
def contact_verified(tx: Tx, e: Customer.ContactVerified, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_contact SET verified_at=:at, outcome=:outcome, satisfaction=:sat, "
        "caller=:caller, callback_note=:note WHERE contact_id=:id",
        {"id": e.contact_id, "at": ts(e.occurred_at), "outcome": e.outcome.value,
         "sat": e.satisfaction, "caller": e.caller, "note": e.note},
    )  # fmt: skip
    touch(tx, str(e.originator_id), e.occurred_at)


@handles(Customer.ExpenseClaimed)
def expense_claimed(tx: Tx, e: Customer.ExpenseClaimed, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_contact SET expense=:amount, expense_at=:at WHERE contact_id=:id",
        {"id": e.contact_id, "amount": str(e.amount), "at": ts(e.occurred_at)},
    )
    touch(tx, str(e.originator_id), e.occurred_at)


@handles(Customer.ContractSigned)
def contract_signed(tx: Tx, e: Customer.ContractSigned, position: int) -> None:
    cid = str(e.originator_id)
    tx.execute(
        "INSERT INTO ledger_rm_contract VALUES (:c, :ref, :value, :at, :by)",
        {"c": cid, "ref": e.contract_ref, "value": str(e.value), "at": ts(e.occurred_at), "by": e.by},
    )  # fmt: skip
    touch(tx, cid, e.occurred_at)


@handles(Customer.ComplaintLogged)
def complaint_logged(tx: Tx, e: Customer.ComplaintLogged, position: int) -> None:
    cid = str(e.originator_id)
    tx.execute(
        "INSERT INTO ledger_rm_complaint (complaint_id, customer_id, summary, logged_at) "
        "VALUES (:id, :c, :summary, :at)",
        {"id": e.complaint_id, "c": cid, "summary": e.summary, "at": ts(e.occurred_at)},
    )
    touch(tx, cid, e.occurred_at)


@handles(Customer.ComplaintResolved)
def complaint_resolved(tx: Tx, e: Customer.ComplaintResolved, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_complaint SET resolved_at=:at, resolution=:resolution "
        "WHERE complaint_id=:id",
        {"id": e.complaint_id, "at": ts(e.occurred_at), "resolution": e.resolution},
    )
    touch(tx, str(e.originator_id), e.occurred_at)


@handles(FileRead.Recorded)
def file_read(tx: Tx, e: FileRead.Recorded, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_file_read VALUES (:p, :reader, :c, :what, :allowed, :reason, :at)",
        {"p": position, "reader": e.reader, "c": e.customer_id, "what": e.what,
         "allowed": int(e.allowed), "reason": e.reason, "at": ts(e.occurred_at)},
    )  # fmt: skip
