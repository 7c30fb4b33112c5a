"""Handlers for custody facts: the customer's current state, its holding intervals, its chain."""

from __future__ import annotations

from typing import Any

from ledger.customer import Customer
from ledger.roster import LeadRoster
from projections.handlers import as_json, handles, value
from projections.holdings import first_holding, set_holder
from projections.schema import ts
from projections.store import Tx

CUSTODY = (
    "INSERT INTO ledger_rm_custody (position, customer_id, kind, occurred_at, recorded_at, actor, "
    "from_holder, to_holder, reason, rule, policy_version, approver, request_id, override, detail) "
    "VALUES (:position, :customer_id, :kind, :occurred_at, :recorded_at, :actor, :from_holder, "
    ":to_holder, :reason, :rule, :policy_version, :approver, :request_id, :override, :detail)"
)


def custody_row(tx: Tx, e: Any, position: int, kind: str, **fields: Any) -> None:
    row = {
        "position": position, "customer_id": str(e.originator_id), "kind": kind,
        "occurred_at": ts(e.occurred_at), "recorded_at": ts(e.timestamp), "actor": e.by,
        "from_holder": None, "to_holder": None, "reason": None, "rule": None,
        "policy_version": None, "approver": None, "request_id": None, "override": 0, "detail": "{}",
    }  # fmt: skip
    tx.insert_later("ledger_rm_custody", CUSTODY, row | fields)


def touch(tx: Tx, customer_id: str, at: Any) -> None:
    """Remember the latest business time anything was recorded on the file."""
    tx.raise_later("ledger_rm_customer", "customer_id", customer_id, "updated_at", ts(at))


def holder_of(tx: Tx, customer_id: str) -> str | None:
    """The customer's holder in this transaction (remembered: `take` is its only writer)."""
    key = ("holder", customer_id)
    if key not in tx.memo:
        row = tx.one("SELECT holder FROM ledger_rm_customer WHERE customer_id=:c", {"c": customer_id})  # fmt: skip
        tx.memo[key] = None if row is None else row["holder"]
    holder: str | None = tx.memo[key]
    return holder


def take(tx: Tx, e: Any, position: int, holder: str | None) -> None:
    cid = str(e.originator_id)
    tx.memo[("holder", cid)] = holder
    tx.execute(
        "UPDATE ledger_rm_customer SET holder=:h, held_since=:since, last_holder_contact_at=NULL "
        "WHERE customer_id=:c",
        {"c": cid, "h": holder, "since": ts(e.occurred_at) if holder else None},
    )
    set_holder(tx, cid, holder, e.occurred_at, e.timestamp, position)
    touch(tx, cid, e.occurred_at)


@handles(Customer.Registered)
def registered(tx: Tx, e: Customer.Registered, position: int) -> None:
    at = ts(e.occurred_at)
    tx.execute(
        "INSERT INTO ledger_rm_customer (customer_id, name, source, channel, area, registered_at, "
        "updated_at, source_ref) VALUES (:c, :name, :source, :channel, :area, :at, :at, :ref)",
        {
            "c": str(e.originator_id),
            "name": e.name,
            "source": e.source.value,
            "channel": e.channel,
            "area": e.area,
            "at": at,
            "ref": e.source_ref,
        },
    )
    tx.memo[("holder", str(e.originator_id))] = None
    first_holding(tx, str(e.originator_id))
    set_holder(tx, str(e.originator_id), None, e.occurred_at, e.timestamp, position)


@handles(Customer.Graded)
def graded(tx: Tx, e: Customer.Graded, position: int) -> None:
    cid = str(e.originator_id)
    tx.execute("UPDATE ledger_rm_customer SET tier=:tier WHERE customer_id=:c", {"c": cid, "tier": e.tier.value})  # fmt: skip
    tx.insert_later(
        "ledger_rm_grade",
        "INSERT INTO ledger_rm_grade VALUES (:p, :c, :tier, :at, :rec, :by, :reason, :v)",
        {"p": position, "c": cid, "tier": e.tier.value, "at": ts(e.occurred_at),
         "rec": ts(e.timestamp), "by": e.by, "reason": e.reason, "v": e.policy_version},
    )  # fmt: skip
    touch(tx, cid, e.occurred_at)


@handles(Customer.Assigned)
def assigned(tx: Tx, e: Customer.Assigned, position: int) -> None:
    custody_row(
        tx, e, position, "assigned", to_holder=e.holder, reason=e.reason, rule=e.rule,
        policy_version=e.policy_version, override=int(e.override),
        detail=as_json({"exceptions": e.exceptions}),
    )  # fmt: skip
    take(tx, e, position, e.holder)


@handles(Customer.Reassigned)
def reassigned(tx: Tx, e: Customer.Reassigned, position: int) -> None:
    custody_row(
        tx, e, position, "reassigned", from_holder=e.from_holder, to_holder=e.to_holder,
        reason=e.reason_code.value, rule=e.rule, policy_version=e.policy_version,
        approver=e.approver, request_id=e.request_id,
        detail=as_json({"note": e.note, "exceptions": e.exceptions}),
    )  # fmt: skip
    take(tx, e, position, e.to_holder)


@handles(Customer.Released)
def released(tx: Tx, e: Customer.Released, position: int) -> None:
    custody_row(
        tx, e, position, "released", from_holder=e.from_holder, reason=e.reason_code.value,
        rule=e.rule, policy_version=e.policy_version, detail=as_json({"note": e.note}),
    )  # fmt: skip
    take(tx, e, position, None)


@handles(Customer.TransferRequested)
def transfer_requested(tx: Tx, e: Customer.TransferRequested, position: int) -> None:
    custody_row(
        tx, e, position, "transfer_requested", from_holder=e.from_holder, to_holder=e.to_holder,
        reason=e.reason_code.value, rule="a_tier_approval", request_id=e.request_id,
        detail=as_json({"note": e.note}),
    )  # fmt: skip


@handles(Customer.TransferRejected)
def transfer_rejected(tx: Tx, e: Customer.TransferRejected, position: int) -> None:
    custody_row(
        tx, e, position, "transfer_rejected", reason=e.reason, rule="a_tier_approval",
        approver=e.by, request_id=e.request_id,
    )  # fmt: skip


@handles(LeadRoster.LeadAllocated)
def lead_allocated(tx: Tx, e: LeadRoster.LeadAllocated, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_lead VALUES (:p, :c, :chosen, :tier, :pool, :at, :v)",
        {"p": position, "c": e.customer_id, "chosen": e.chosen, "tier": e.tier,
         "pool": as_json(e.pool), "at": ts(e.occurred_at), "v": e.policy_version},
    )  # fmt: skip
    custody_row(
        tx, e, position, "lead_allocated", customer_id=e.customer_id, to_holder=e.chosen,
        rule="lead_allocator", policy_version=e.policy_version,
        detail=as_json({"pool": e.pool, "credits_before": e.credits_before}),
    )  # fmt: skip


@handles(Customer.TeamMemberAdded)
def team_member_added(tx: Tx, e: Customer.TeamMemberAdded, position: int) -> None:
    cid = str(e.originator_id)
    tx.execute(
        "INSERT INTO ledger_rm_team VALUES (:c, :s, :role, :at) ON CONFLICT (customer_id, "
        "staff_id) DO UPDATE SET team_role=:role, since=:at",
        {"c": cid, "s": e.staff_id, "role": value(e.team_role), "at": ts(e.occurred_at)},
    )
    touch(tx, cid, e.occurred_at)


@handles(Customer.TeamMemberRemoved)
def team_member_removed(tx: Tx, e: Customer.TeamMemberRemoved, position: int) -> None:
    cid = str(e.originator_id)
    tx.execute("DELETE FROM ledger_rm_team WHERE customer_id=:c AND staff_id=:s", {"c": cid, "s": e.staff_id})  # fmt: skip
    touch(tx, cid, e.occurred_at)
