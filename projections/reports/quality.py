"""Reports 10 and 12: callback quality per rep; complaints, violations and refused data reads."""

from __future__ import annotations

from datetime import timedelta

from projections.reports.period import Period, Sections, policy_at
from projections.schema import parse_ts, ts
from projections.store import Tx

CALLBACKS = (
    "SELECT k.staff_id, s.name AS rep, COUNT(*) AS contacts, "
    "SUM(CASE WHEN k.verified_at IS NOT NULL THEN 1 ELSE 0 END) AS verified, "
    "SUM(CASE WHEN k.outcome='confirmed' THEN 1 ELSE 0 END) AS confirmed, "
    "SUM(CASE WHEN k.outcome='discrepancy' THEN 1 ELSE 0 END) AS discrepancy, "
    "SUM(CASE WHEN k.outcome='unreachable' THEN 1 ELSE 0 END) AS unreachable, "
    "AVG(k.satisfaction) AS satisfaction, "
    "SUM(CASE WHEN k.kind='trip' AND k.verified_at IS NULL THEN 1 ELSE 0 END) AS trips_unverified, "
    "SUM(CASE WHEN k.verified_at IS NULL THEN 1 ELSE 0 END) AS contacts_unverified, "
    "SUM(CASE WHEN k.outcome='discrepancy' AND k.expense_at IS NOT NULL "
    "AND k.expense_at<=k.verified_at THEN 1 ELSE 0 END) AS discrepancies_after_reimbursement "
    "FROM ledger_rm_contact k LEFT JOIN ledger_rm_staff s ON s.staff_id = k.staff_id "
    "WHERE k.occurred_at>=:since AND k.occurred_at<:until GROUP BY k.staff_id, s.name "
    "ORDER BY s.name, k.staff_id"
)


def callback_quality(tx: Tx, period: Period) -> Sections:
    """Report 10: per rep, what callbacks verified and found, and what is still unverified."""
    rows = tx.all(CALLBACKS, period.bounds)
    for row in rows:
        for key in row:
            if key not in ("staff_id", "rep", "satisfaction"):
                row[key] = int(row[key] or 0)
        sat = row["satisfaction"]
        row["satisfaction"] = None if sat is None else round(float(sat), 2)
    return {"per_rep": rows}


def complaints_and_violations(tx: Tx, period: Period) -> Sections:
    """Report 12: complaints by state and age against the reply limit; refused data reads."""
    limit = timedelta(hours=policy_at(tx, period.at).complaint_reply_hours)
    rows = tx.all(
        "SELECT p.complaint_id, p.customer_id, c.name AS customer, p.summary, p.logged_at, "
        "p.resolved_at FROM ledger_rm_complaint p "
        "JOIN ledger_rm_customer c ON c.customer_id = p.customer_id "
        "WHERE p.logged_at>=:since AND p.logged_at<:until ORDER BY p.logged_at",
        period.bounds,
    )
    states: dict[str, dict[str, int]] = {}
    listed = []
    for row in rows:
        resolved = row["resolved_at"] is not None and row["resolved_at"] <= ts(period.at)
        end = parse_ts(row["resolved_at"]) if resolved else period.at
        age = end - parse_ts(row["logged_at"])
        state = "resolved" if resolved else "open"
        tally = states.setdefault(state, {"complaints": 0, "past_reply_limit": 0})
        tally["complaints"] += 1
        tally["past_reply_limit"] += int(age > limit)
        listed.append({**row, "state": state, "age_hours": round(age.total_seconds() / 3600, 1), "past_reply_limit": age > limit})  # fmt: skip
    refused = tx.all(
        "SELECT r.occurred_at, r.reader, r.customer_id, r.what, r.reason FROM ledger_rm_file_read r "
        "WHERE r.allowed=0 AND r.occurred_at>=:since AND r.occurred_at<:until "
        "ORDER BY r.occurred_at, r.position",
        period.bounds,
    )
    return {
        "complaints_by_state": [{"state": s, **t} for s, t in sorted(states.items())],
        "complaints": listed,
        "violations": [],
        "refused_reads": refused,
        "refused_data_exports": [],
    }
