"""Queries 1-4 of the read models: ownership now and at any instant, custody chain, customer file.

Each is SQL over the read-model tables (never a replay) and returns plain rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.clock import utcnow
from ledger.errors import NotFound
from projections.holdings import HeldInterval, book_at, holder_at
from projections.schema import parse_ts
from projections.store import Tx


@dataclass(frozen=True)
class Holding:
    customer_id: str
    name: str
    tier: str | None
    holder: str | None
    holder_name: str | None
    held_since: datetime | None


def _customer(tx: Tx, customer_id: str) -> dict[str, Any]:
    row = tx.one(
        "SELECT c.*, s.name AS holder_name FROM ledger_rm_customer c "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = c.holder WHERE c.customer_id=:c",
        {"c": str(customer_id)},
    )
    if row is None:
        raise NotFound("unknown_customer", f"No customer with id {customer_id}.", id=str(customer_id))  # fmt: skip
    return row


def holder_now(tx: Tx, customer_id: str) -> Holding:
    """Query 1: who holds the customer now and since when (None: the company pool)."""
    row = _customer(tx, customer_id)
    since = parse_ts(row["held_since"]) if row["held_since"] else None
    return Holding(row["customer_id"], row["name"], row["tier"], row["holder"], row["holder_name"], since)  # fmt: skip


def book(tx: Tx, staff_id: str) -> dict[str, list[Holding]]:
    """Query 1: a staff member's holdings now, by tier ('-' for ungraded)."""
    rows = tx.all(
        "SELECT c.customer_id, c.name, c.tier, c.holder, s.name AS holder_name, c.held_since "
        "FROM ledger_rm_customer c JOIN ledger_rm_staff s ON s.staff_id = c.holder "
        "WHERE c.holder=:s ORDER BY c.tier, c.name",
        {"s": str(staff_id)},
    )
    by_tier: dict[str, list[Holding]] = {}
    for r in rows:
        held = Holding(r["customer_id"], r["name"], r["tier"], r["holder"], r["holder_name"], parse_ts(r["held_since"]))  # fmt: skip
        by_tier.setdefault(r["tier"] or "-", []).append(held)
    return by_tier


def company_pool(tx: Tx) -> list[dict[str, Any]]:
    """Query 1: customers no one holds, in the company pool."""
    return tx.all(
        "SELECT customer_id, name, tier, source, registered_at FROM ledger_rm_customer "
        "WHERE holder IS NULL ORDER BY name"
    )


def file_reads(tx: Tx, customer_id: str) -> list[dict[str, Any]]:
    """Every recorded read of a customer's file, allowed or refused, in the order they came."""
    rows = tx.all(
        "SELECT occurred_at, reader, what, allowed, reason FROM ledger_rm_file_read "
        "WHERE customer_id=:c ORDER BY occurred_at, position",
        {"c": customer_id},
    )
    return [{**r, "allowed": bool(r["allowed"])} for r in rows]


def team(tx: Tx, customer_id: str) -> list[dict[str, Any]]:
    """Query 1: the people covering a customer: its holder and its team members."""
    holder = _customer(tx, customer_id)
    members = tx.all(
        "SELECT t.staff_id, s.name, t.team_role AS role, t.since FROM ledger_rm_team t "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = t.staff_id WHERE t.customer_id=:c "
        "ORDER BY t.since, t.staff_id",
        {"c": str(customer_id)},
    )
    if holder["holder"] is None:
        return members
    lead = {"staff_id": holder["holder"], "name": holder["holder_name"], "role": "holder", "since": holder["held_since"]}  # fmt: skip
    return [lead, *members]


def holder_as_of(
    tx: Tx, customer_id: str, at: datetime, known_at: datetime | None = None
) -> HeldInterval | None:
    """Query 2: the holding interval containing business time `at`, as known at `known_at`."""
    return holder_at(tx, str(customer_id), at, known_at or utcnow())


def book_as_of(
    tx: Tx, staff_id: str, at: datetime, known_at: datetime | None = None
) -> list[tuple[str, datetime]]:
    """Query 2: the customers a rep held at business time `at`, as known at `known_at`."""
    return book_at(tx, str(staff_id), at, known_at or utcnow())


def chain_of_custody(tx: Tx, customer_id: str) -> list[dict[str, Any]]:
    """Query 3: every custody move, request, decision and grading, in business-time order."""
    _customer(tx, customer_id)
    params = {"c": str(customer_id)}
    moves = tx.all("SELECT * FROM ledger_rm_custody WHERE customer_id=:c", params)
    grades = tx.all(
        "SELECT position, customer_id, 'graded' AS kind, occurred_at, recorded_at, actor, "
        "tier AS to_holder, reason, policy_version FROM ledger_rm_grade WHERE customer_id=:c",
        params,
    )
    rows = [
        {**m, "detail": json.loads(m["detail"]), "override": bool(m["override"])} for m in moves
    ]
    rows += [{**g, "from_holder": None, "rule": "grading", "approver": None, "request_id": None,
              "override": False, "detail": {}} for g in grades]  # fmt: skip
    return sorted(rows, key=lambda r: (r["occurred_at"], r["position"]))


def customer_file(tx: Tx, customer_id: str) -> dict[str, Any]:
    """Query 4 (客户档案): base data, tier history, contacts with callbacks, complaints, contracts, team."""
    base = _customer(tx, customer_id)
    params = {"c": str(customer_id)}
    return {
        "customer": base,
        "tier_history": tx.all(
            "SELECT tier, occurred_at, actor, reason, policy_version FROM ledger_rm_grade "
            "WHERE customer_id=:c ORDER BY occurred_at, position",
            params,
        ),
        "contacts": tx.all(
            "SELECT contact_id, staff_id, kind, channel, occurred_at, recorded_at, verified_at, "
            "outcome, satisfaction, caller, callback_note, expense, channel_address, "
            "company_channel, asked_for, late, handoff_drift FROM ledger_rm_contact "
            "WHERE customer_id=:c ORDER BY occurred_at, contact_id",
            params,
        ),
        "complaints": tx.all(
            "SELECT complaint_id, summary, form, logged_at, resolved_at, resolution, state, replied_at, "
            "reply_late, cause, corrective, preventive, escalated_to, rechecked_at, satisfaction, "
            "fed_back_to FROM ledger_rm_complaint WHERE customer_id=:c ORDER BY logged_at",
            params,
        ),
        "contracts": tx.all(
            "SELECT contract_ref, value, occurred_at, actor FROM ledger_rm_contract "
            "WHERE customer_id=:c ORDER BY occurred_at",
            params,
        ),
        "team": team(tx, customer_id),
        "trips": tx.all(
            "SELECT trip_id, staff_id, purpose, occurred_at, entered_at, late, step, met, "
            "decision_maker_met, needs, key_information, next_step, amendments, signed_by, "
            "backfilled_by, qualified_by, expense, expense_approved_at, callbacks, discrepancies "
            "FROM ledger_rm_trip WHERE customer_id=:c ORDER BY occurred_at, trip_id",
            params,
        ),
        "trip_callbacks": tx.all(
            "SELECT trip_id, caller, reached, outcome, satisfaction, differences, problems, "
            "occurred_at FROM ledger_rm_trip_callback WHERE customer_id=:c "
            "ORDER BY occurred_at, position",
            params,
        ),
        "file_entries": tx.all(
            "SELECT trip_id, entry, occurred_at, actor FROM ledger_rm_file_entry "
            "WHERE customer_id=:c ORDER BY position, seq",
            params,
        ),
        "key_people": tx.all(
            "SELECT role, person, title, since FROM ledger_rm_key_person WHERE customer_id=:c "
            "ORDER BY role",
            params,
        ),
        "warnings": tx.all(
            "SELECT kind, detail, occurred_at FROM ledger_rm_warning WHERE customer_id=:c "
            "ORDER BY position",
            params,
        ),
    }
