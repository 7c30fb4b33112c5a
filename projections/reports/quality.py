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
CALLBACK_COUNTS = ("contacts", "verified", "confirmed", "discrepancy", "unreachable", "trips_unverified", "contacts_unverified", "discrepancies_after_reimbursement")  # fmt: skip


TRIPS = (
    "SELECT t.staff_id, s.name AS rep, COUNT(*) AS trip_records, "
    "SUM(CASE WHEN t.callbacks=0 THEN 1 ELSE 0 END) AS trip_records_unverified, "
    "SUM(CASE WHEN t.discrepancies>0 THEN 1 ELSE 0 END) AS trip_records_with_discrepancy, "
    "SUM(CASE WHEN t.discrepancies>0 AND t.expense_approved_at IS NOT NULL THEN 1 ELSE 0 END) "
    "AS trip_discrepancies_reimbursed FROM ledger_rm_trip t "
    "LEFT JOIN ledger_rm_staff s ON s.staff_id = t.staff_id "
    "WHERE t.occurred_at>=:since AND t.occurred_at<:until GROUP BY t.staff_id, s.name"
)
TRIP_COUNTS = ("trip_records", "trip_records_unverified", "trip_records_with_discrepancy", "trip_discrepancies_reimbursed")  # fmt: skip


def callback_quality(tx: Tx, period: Period) -> Sections:
    """Report 10: per rep, what callbacks verified and found on contacts and trip records, what
    is still unverified, and discrepancies that stand although the money was paid."""
    rows = {row["staff_id"]: row for row in tx.all(CALLBACKS, period.bounds)}
    for trip in tx.all(TRIPS, period.bounds):
        row = rows.setdefault(trip["staff_id"], {"staff_id": trip["staff_id"], "rep": trip["rep"]})
        row.update({k: trip[k] for k in TRIP_COUNTS})
    for row in rows.values():
        sat = row.get("satisfaction")
        for key in (*CALLBACK_COUNTS, *TRIP_COUNTS):
            row[key] = int(row.get(key) or 0)
        row["satisfaction"] = None if sat is None else round(float(sat), 2)
    reimbursed = tx.all(
        "SELECT t.trip_id, t.customer_id, t.staff_id, t.occurred_at, t.expense, "
        "t.expense_approved_at, b.differences, b.occurred_at AS found_at "
        "FROM ledger_rm_trip t JOIN ledger_rm_trip_callback b ON b.trip_id = t.trip_id "
        "WHERE b.outcome='discrepancy' AND t.expense_approved_at IS NOT NULL "
        "AND t.occurred_at>=:since AND t.occurred_at<:until ORDER BY t.occurred_at, t.trip_id",
        period.bounds,
    )
    return {
        "per_rep": sorted(rows.values(), key=lambda r: (r["rep"] or "", r["staff_id"])),
        "trip_discrepancies_after_reimbursement": reimbursed,
    }


def complaints_and_violations(tx: Tx, period: Period) -> Sections:
    """Report 12: complaints by state and age against the reply limit; refused data reads."""
    limit = timedelta(hours=policy_at(tx, period.at).complaint_reply_hours)
    rows = tx.all(
        "SELECT p.complaint_id, p.customer_id, c.name AS customer, p.summary, p.logged_at, "
        "p.resolved_at, p.state AS step, p.replied_at, p.reply_late FROM ledger_rm_complaint p "
        "JOIN ledger_rm_customer c ON c.customer_id = p.customer_id "
        "WHERE p.logged_at>=:since AND p.logged_at<:until ORDER BY p.logged_at",
        period.bounds,
    )
    states: dict[str, dict[str, int]] = {}
    listed = []
    for row in rows:
        resolved = row["resolved_at"] is not None and row["resolved_at"] <= ts(period.at)
        replied = row["replied_at"] is not None and row["replied_at"] <= ts(period.at)
        end = parse_ts(row["replied_at"]) if replied else period.at
        age = end - parse_ts(row["logged_at"])  # the reply limit is on the first answer (155)
        state = "closed" if resolved else row.pop("step")
        row.pop("step", None)
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
        "violations": tx.all(
            "SELECT v.violation_id, v.staff_id, s.name AS staff, v.severity, v.description, "
            "v.occurred_at, v.warned_at, v.stop_ordered_at, v.investigation, v.terminated_at "
            "FROM ledger_rm_violation v LEFT JOIN ledger_rm_staff s ON s.staff_id = v.staff_id "
            "WHERE v.occurred_at>=:since AND v.occurred_at<:until "
            "ORDER BY v.severity, s.name, v.occurred_at",
            period.bounds,
        ),
        "refused_reads": refused,
        "refused_data_exports": tx.all(
            "SELECT x.export_id, x.actor, x.recipient, x.purpose, x.code, x.occurred_at "
            "FROM ledger_rm_data_export x WHERE x.outcome='refused' AND x.occurred_at>=:since "
            "AND x.occurred_at<:until ORDER BY x.occurred_at, x.position",
            period.bounds,
        ),
    }
