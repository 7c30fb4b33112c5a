"""The few read-model lookups the dashboard needs beyond projections' queries and reports.

Plain SQL over the `ledger_rm_*` tables through the same `Tx`, never a replay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.clock import utcnow
from projections.holdings import held_at
from projections.reports import Period
from projections.schema import FOREVER, ts
from projections.store import Tx


def staff_directory(tx: Tx) -> dict[str, dict[str, Any]]:
    """Every staff member by id: name, role, team, status (to show names instead of ids)."""
    rows = tx.all("SELECT staff_id, name, role, team, status FROM ledger_rm_staff")
    return {row["staff_id"]: row for row in rows}


def customer_counts(tx: Tx, at: datetime, allowed: frozenset[str] | None = None) -> dict[str, int]:
    """The customers registered by `at` (among those the viewer may open) and how many were
    held then: an as-of page counts only what existed at its instant."""
    rows = tx.all(
        "SELECT customer_id FROM ledger_rm_customer WHERE registered_at<=:t", {"t": ts(at)}
    )
    existing = {r["customer_id"] for r in rows}
    if allowed is not None:
        existing &= allowed
    held = len(existing & set(held_at(tx, at, utcnow())))
    return {"customers": len(existing), "held": held, "pool": len(existing) - held}


def holding_intervals(tx: Tx, customer_id: str) -> list[dict[str, Any]]:
    """Holders over business time as the ledger knows it now (None: the company pool)."""
    rows = tx.all(
        "SELECT holder, valid_from, valid_to FROM ledger_rm_holding WHERE customer_id=:c "
        "AND superseded_at=:forever ORDER BY valid_from",
        {"c": customer_id, "forever": FOREVER},
    )
    return [{**row, "valid_to": None if row["valid_to"] == FOREVER else row["valid_to"]} for row in rows]  # fmt: skip


def transfer_requests(tx: Tx, period: Period) -> list[dict[str, Any]]:
    """Transfer requests made in the period, each with its outcome: approved, rejected or pending."""
    requests = tx.all(
        "SELECT q.request_id, q.occurred_at, q.customer_id, c.name AS customer, q.from_holder, "
        "q.to_holder, q.reason, q.actor AS requester FROM ledger_rm_custody q "
        "JOIN ledger_rm_customer c ON c.customer_id = q.customer_id "
        "WHERE q.kind='transfer_requested' AND q.occurred_at>=:since AND q.occurred_at<:until "
        "ORDER BY q.occurred_at, q.position",
        period.bounds,
    )
    outcomes = {
        row["request_id"]: row
        for row in tx.all(
            "SELECT request_id, kind, occurred_at, approver, reason FROM ledger_rm_custody "
            "WHERE request_id IS NOT NULL AND kind IN ('reassigned', 'transfer_rejected')"
        )
    }
    for request in requests:
        outcome = outcomes.get(request["request_id"])
        request["outcome"] = _outcome(outcome)
        request["decided_at"] = outcome["occurred_at"] if outcome else None
        request["decided_by"] = outcome["approver"] if outcome else None
    return requests


def _outcome(row: dict[str, Any] | None) -> str:
    if row is None:
        return "pending"
    return "approved" if row["kind"] == "reassigned" else "rejected"
