"""Reports 5, 9 and 11: the drift the ledger cannot refuse, what is due, and records discipline."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from projections.measures import RiskInputs, reasons_of, risk_components, score_of
from projections.reports.period import Period, Rows, Sections, days_between, policy_at
from projections.schema import parse_ts, ts
from projections.store import Tx

HELD = (
    "SELECT c.customer_id, c.name, c.tier, c.holder, c.held_since, c.last_holder_contact_at, "
    "c.updated_at, s.name AS holder_name, s.status AS holder_status "
    "FROM ledger_rm_customer c LEFT JOIN ledger_rm_staff s ON s.staff_id = c.holder "
    "WHERE c.holder IS NOT NULL ORDER BY c.name, c.customer_id"
)
CONTACT_MIX = (
    "SELECT customer_id, staff_id, COUNT(*) AS n, SUM(private) AS private, "
    "SUM(CASE WHEN asked_for IS NOT NULL THEN 1 ELSE 0 END) AS inbound, "
    "SUM(CASE WHEN asked_for IS NOT NULL AND asked_for<>'company' THEN 1 ELSE 0 END) AS named, "
    "SUM(CASE WHEN verified_at IS NOT NULL AND verified_at<:until THEN 1 ELSE 0 END) AS verified, "
    "SUM(CASE WHEN outcome='discrepancy' AND verified_at<:until THEN 1 ELSE 0 END) AS discrepant, "
    "MAX(occurred_at) AS last FROM ledger_rm_contact "
    "WHERE occurred_at>=:since AND occurred_at<:until GROUP BY customer_id, staff_id"
)


def _mix(tx: Tx, period: Period) -> dict[str, list[dict[str, Any]]]:
    mix: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in tx.all(CONTACT_MIX, period.bounds):
        mix[row["customer_id"]].append(row)
    return mix


def _named_share(per_staff: list[dict[str, Any]]) -> float | None:
    """Of inbound contacts that said whom they asked for, the share asking for a named person."""
    inbound = sum(int(r["inbound"] or 0) for r in per_staff)
    return sum(int(r["named"] or 0) for r in per_staff) / inbound if inbound else None


def control_index(tx: Tx, period: Period) -> Sections:
    """Report 5: per held customer, the signals of drift to one person and a 0-100 risk score."""
    policy = policy_at(tx, period.at)
    mix = _mix(tx, period)
    scored = []
    for c in tx.all(HELD):
        per_staff = mix.get(c["customer_id"], [])
        n = sum(int(r["n"]) for r in per_staff)
        top = max(per_staff, key=lambda r: (int(r["n"]), r["staff_id"]), default=None)
        verified = sum(int(r["verified"]) for r in per_staff)
        last = max((r["last"] for r in per_staff), default=c["held_since"])
        inputs = RiskInputs(
            contacts=n,
            top_share=int(top["n"]) / n if top else 0.0,
            named_person_share=_named_share(per_staff),
            distinct_staff=len(per_staff),
            verified_share=verified / n if n else 0.0,
            discrepancy_rate=sum(int(r["discrepant"]) for r in per_staff) / verified
            if verified
            else 0.0,
            private_share=sum(int(r["private"]) for r in per_staff) / n if n else 0.0,
            tenure_days=max(0, days_between(c["held_since"], period.at)),
            rotation_days=policy.rotation_days,
            days_since_contact=max(0, days_between(last, period.at)),
            neglect_days=policy.neglect_days.get(c["tier"] or "C", 90),
            holder_leaving=c["holder_status"] in ("leaving", "departed"),
        )
        components = risk_components(inputs)
        scored.append((score_of(components), c, inputs, components, top))
    scored.sort(key=lambda s: (-s[0], s[1]["name"]))  # stable: the query's name, id order ties
    rows = [
        {
            "customer_id": c["customer_id"], "customer": c["name"], "tier": c["tier"],
            "holder": c["holder_name"], "score": score, "reasons": reasons_of(inputs, components),
            "top_contact": top["staff_id"] if top else None, **vars(inputs),
        }
        for score, c, inputs, components, top in scored[: period.top]
    ]  # fmt: skip
    return {"at_risk": rows}


def due_lists(tx: Tx, period: Period) -> Sections:
    """Report 9: rotations due, neglected customers, overdue complaints, unverified contacts."""
    policy, at = policy_at(tx, period.at), period.at
    held = tx.all(HELD)
    rotations = [
        {"customer_id": c["customer_id"], "customer": c["name"], "holder": c["holder_name"],
         "held_since": c["held_since"], "days_held": days_between(c["held_since"], at)}
        for c in held
        if days_between(c["held_since"], at) >= policy.rotation_days
    ]  # fmt: skip
    neglected = []
    for c in held:
        quiet = days_between(c["last_holder_contact_at"] or c["held_since"], at)
        limit = period.days or policy.neglect_days.get(c["tier"] or "C", 90)
        if quiet >= limit:
            neglected.append({"customer_id": c["customer_id"], "customer": c["name"], "holder": c["holder_name"], "days_without_holder_contact": quiet, "limit": limit})  # fmt: skip
    reply_by = ts(at - timedelta(hours=policy.complaint_reply_hours))
    complaints = tx.all(
        "SELECT p.complaint_id, p.customer_id, c.name AS customer, p.summary, p.logged_at "
        "FROM ledger_rm_complaint p JOIN ledger_rm_customer c ON c.customer_id = p.customer_id "
        "WHERE p.logged_at<=:reply_by AND (p.replied_at IS NULL OR p.replied_at>:at) "
        "AND (p.resolved_at IS NULL OR p.resolved_at>:at) "
        "ORDER BY p.logged_at",
        {"reply_by": reply_by, "at": ts(at)},
    )
    unverified = tx.all(
        "SELECT k.contact_id, k.customer_id, c.name AS customer, k.staff_id, k.kind, k.occurred_at "
        "FROM ledger_rm_contact k JOIN ledger_rm_customer c ON c.customer_id = k.customer_id "
        "WHERE k.occurred_at<=:cutoff AND (k.verified_at IS NULL OR k.verified_at>:at) "
        "ORDER BY k.occurred_at, k.contact_id",
        {"cutoff": ts(at - timedelta(days=period.days or 30)), "at": ts(at)},
    )
    return {
        "rotations_due": rotations,
        "neglected": neglected,
        "complaints_overdue": complaints,
        "unverified_contacts": unverified,
    }


def records_discipline(tx: Tx, period: Period) -> Sections:
    """Report 11: late entries, private channels, hand-offs, lone key accounts, stale files."""
    policy = policy_at(tx, period.at)
    contacts = tx.all(
        "SELECT contact_id, customer_id, staff_id, kind, channel, private, occurred_at, "
        "recorded_at, channel_address, asked_for, late, handoff_drift FROM ledger_rm_contact "
        "WHERE occurred_at>=:since AND occurred_at<:until ORDER BY occurred_at, contact_id",
        period.bounds,
    )
    trips = tx.all(
        "SELECT trip_id, customer_id, staff_id, 'trip' AS kind, occurred_at, entered_at AS "
        "recorded_at, late FROM ledger_rm_trip WHERE occurred_at>=:since AND occurred_at<:until "
        "ORDER BY occurred_at, trip_id",
        period.bounds,
    )
    del policy  # lateness is decided, and recorded, when the entry is made (policy then)
    return {
        "late_entries": [
            {**k, "days_late": (parse_ts(k["recorded_at"]) - parse_ts(k["occurred_at"])).days}
            for k in (*contacts, *trips)
            if k["late"]
        ],
        "non_company_channels": [k for k in contacts if k["private"]],
        "asked_for_named_person": [k for k in contacts if k["asked_for"] not in (None, "company")],
        "handoffs_pending": _handoffs_pending(tx),
        "service_by_sales_after_handoff": [k for k in contacts if k["handoff_drift"]],
        "key_accounts_covered_by_holder_alone": _lone_key_accounts(tx, contacts),
        "files_without_custodian_or_update": _stale_files(tx, period),
        "key_accounts_without_key_people": _missing_key_people(tx),
    }


def _missing_key_people(tx: Tx) -> Rows:
    """A key account's coverage plan names its decision maker and influencers (115)."""
    rows = tx.all(
        "SELECT c.customer_id, c.name AS customer, c.holder, "
        "SUM(CASE WHEN k.role='decision_maker' THEN 1 ELSE 0 END) AS decision_makers, "
        "SUM(CASE WHEN k.role='influencer' THEN 1 ELSE 0 END) AS influencers "
        "FROM ledger_rm_customer c LEFT JOIN ledger_rm_key_person k "
        "ON k.customer_id = c.customer_id WHERE c.tier='A' AND c.holder IS NOT NULL "
        "GROUP BY c.customer_id, c.name, c.holder ORDER BY c.name"
    )
    return [
        {**r, "missing": [m for m, n in (("decision_maker", r["decision_makers"]), ("influencer", r["influencers"])) if not n]}
        for r in rows
        if not (r["decision_makers"] and r["influencers"])
    ]  # fmt: skip


def _handoffs_pending(tx: Tx) -> Rows:
    return tx.all(
        "SELECT c.customer_id, c.name AS customer, c.holder, COUNT(*) AS contracts "
        "FROM ledger_rm_customer c JOIN ledger_rm_contract k ON k.customer_id = c.customer_id "
        "WHERE NOT EXISTS (SELECT 1 FROM ledger_rm_team t WHERE t.customer_id = c.customer_id "
        "AND t.team_role IN ('service', 'service_lead')) OR NOT EXISTS (SELECT 1 FROM "
        "ledger_rm_team t WHERE t.customer_id = c.customer_id "
        "AND t.team_role IN ('technical', 'technical_lead')) "
        "GROUP BY c.customer_id, c.name, c.holder ORDER BY c.name"
    )


def _lone_key_accounts(tx: Tx, contacts: Rows) -> Rows:
    others: dict[str, set[str]] = defaultdict(set)
    for k in contacts:
        others[k["customer_id"]].add(k["staff_id"])
    keys = tx.all(
        "SELECT c.customer_id, c.name AS customer, c.holder FROM ledger_rm_customer c "
        "WHERE c.tier='A' AND c.holder IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger_rm_team t "
        "WHERE t.customer_id = c.customer_id) ORDER BY c.name"
    )
    return [k for k in keys if others[k["customer_id"]] <= {k["holder"]}]


def _stale_files(tx: Tx, period: Period) -> Rows:
    cutoff = ts(period.at - timedelta(days=period.days or 90))
    return tx.all(
        "SELECT customer_id, name AS customer, holder, updated_at, "
        "CASE WHEN holder IS NULL THEN 'no custodian' ELSE 'no update' END AS problem "
        "FROM ledger_rm_customer WHERE holder IS NULL OR updated_at<=:cutoff ORDER BY name",
        {"cutoff": cutoff},
    )
