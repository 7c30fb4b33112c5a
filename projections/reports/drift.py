"""Reports 5, 9 and 11: the drift the ledger cannot refuse, what is due, and records discipline."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from ledger.clock import utcnow
from ledger.policy import PolicyParams
from projections.holdings import held_at
from projections.measures import WEIGHTS, RiskInputs, reasons_of, risk_components, score_of
from projections.reports.period import Period, Rows, Sections, days_between, policy_at
from projections.schema import FOREVER, parse_ts, ts
from projections.store import Tx

Row = dict[str, Any]

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
    "WHERE occurred_at>=:since AND occurred_at<:until"
)
# Held at the report's instant by the holder it holds now: a report as of a past `at` judges
# the holdings of that instant, not customers registered or moved since.
HELD_AT_T = (
    "EXISTS (SELECT 1 FROM ledger_rm_holding h WHERE h.customer_id = c.customer_id "
    "AND h.holder = c.holder AND h.valid_from <= :at AND h.valid_to > :at "
    "AND h.superseded_at = :forever)"
)
# One row per held customer, its contact mix summed in the database: the report's Python then
# touches each customer once (it read one row per customer and person before, and summed them).
HELD_MIX = (
    f"WITH mix AS ({CONTACT_MIX} GROUP BY customer_id, staff_id) "
    "SELECT c.customer_id, c.name, c.tier, c.held_since, s.name AS holder_name, "
    "s.status AS holder_status, COUNT(m.staff_id) AS staff, COALESCE(SUM(m.n), 0) AS n, "
    "COALESCE(MAX(m.n), 0) AS top_n, COALESCE(SUM(m.private), 0) AS private, "
    "COALESCE(SUM(m.inbound), 0) AS inbound, COALESCE(SUM(m.named), 0) AS named, "
    "COALESCE(SUM(m.verified), 0) AS verified, COALESCE(SUM(m.discrepant), 0) AS discrepant, "
    "MAX(m.last) AS last "
    "FROM ledger_rm_customer c LEFT JOIN ledger_rm_staff s ON s.staff_id = c.holder "
    "LEFT JOIN mix m ON m.customer_id = c.customer_id WHERE c.holder IS NOT NULL "
    f"AND {HELD_AT_T} "
    "GROUP BY c.customer_id, c.name, c.tier, c.held_since, s.name, s.status"
)
# The score of `measures.risk_components`, unrounded, as SQL over HELD_MIX's columns. The
# database ranks every held customer with it and hands back only those that might be in the
# top rows; Python then scores those exactly (at 1 M held customers, building and scoring a
# Python object each took longer than the query). `shortlist` fills in the store's spelling of
# the smaller of two numbers and of whole days to `:at`, `measures.WEIGHTS`, and the policy's
# neglect limits.
ROUGH = (
    "{single_threaded} * (CASE WHEN n > 0 THEN top_n * 1.0 / n ELSE 0 END) * {evidence} "
    "+ {named_person} * (CASE WHEN inbound > 0 THEN named * 1.0 / inbound ELSE 0 END) "
    "+ {few_staff} * (CASE WHEN staff <= 1 THEN 1.0 WHEN staff = 2 THEN 0.5 ELSE 0 END) "
    "+ {unverified} * (CASE WHEN n > 0 THEN 1 - verified * 1.0 / n ELSE 1 END) * {evidence} "
    "+ {discrepancies} * (CASE WHEN verified > 0 THEN discrepant * 1.0 / verified ELSE 0 END) "
    "+ {private_channels} * (CASE WHEN n > 0 THEN private * 1.0 / n ELSE 0 END) "
    "+ {long_tenure} * {least}(1.0, {tenure} * 1.0 / :rotation_days) "
    "+ {no_recent_contact} * {least}(1.0, {quiet} * 1.0 / ({neglect})) "
    "+ {holder_leaving} * (CASE WHEN holder_status IN ('leaving', 'departed') THEN 1 ELSE 0 END)"
)
SHORTLIST = (
    "WITH held AS ({held}), scored AS MATERIALIZED (SELECT held.*, {rough} AS rough FROM held) "
    "SELECT * FROM scored WHERE rough >= COALESCE((SELECT rough FROM scored "
    "ORDER BY rough DESC LIMIT 1 OFFSET :nth), 0) - :margin ORDER BY name, customer_id"
)


def _top_contacts(tx: Tx, period: Period, customers: list[str]) -> dict[str, str]:
    """The person with most contacts (ties: the greater id) for each customer shown."""
    if not customers:
        return {}
    if len(customers) <= 500:  # the usual top 20: a lookup each
        marks = ", ".join(f":c{i}" for i in range(len(customers)))
        rows = tx.all(
            f"{CONTACT_MIX} AND customer_id IN ({marks}) GROUP BY customer_id, staff_id",
            {**period.bounds, **{f"c{i}": c for i, c in enumerate(customers)}},
        )
    else:  # a long list: one pass over the period's contacts
        rows = tx.all(f"{CONTACT_MIX} GROUP BY customer_id, staff_id", period.bounds)
    shown, top = set(customers), dict[str, tuple[int, str]]()
    for r in rows:
        if r["customer_id"] not in shown:
            continue
        mine = (int(r["n"]), r["staff_id"])
        if r["customer_id"] not in top or mine > top[r["customer_id"]]:
            top[r["customer_id"]] = mine
    return {customer: staff for customer, (_, staff) in top.items()}


def _days_to_at(tx: Tx, column: str) -> str:
    """Whole days from a stored instant to `:at`, never negative (as `days_between`)."""
    if tx.postgres:
        return (
            f"GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (CAST(:at AS timestamptz) "
            f"- CAST({column} AS timestamptz))) / 86400))"
        )
    return f"MAX(0, CAST(julianday(:at) - julianday({column}) AS INTEGER))"


def rough_slack(policy: PolicyParams) -> float:
    """How far ROUGH may be from the exact unrounded score: a rounding, and one day in each
    term that counts days (its weight over its divisor; 90 is the limit of an unlisted tier)."""
    shortest = min([*policy.neglect_days.values(), 90])
    return (
        0.05
        + WEIGHTS["long_tenure"] / policy.rotation_days
        + WEIGHTS["no_recent_contact"] / shortest
    )


def shortlist(tx: Tx, period: Period, policy: PolicyParams) -> Rows:
    """Held customers whose exact score can reach the top `period.top`, in name order.

    SQL arithmetic may differ from Python's by a rounding, and its day counts by one day (a
    float at a day's edge): each term that counts days can move by its weight over its
    divisor (`rough_slack`). Keeping everyone within twice that of the last shown row's rough score keeps
    every customer the exact ranking would show, ties included.
    """
    tiers = sorted(policy.neglect_days)
    whens = " ".join(f"WHEN :tier{i} THEN :neglect{i}" for i in range(len(tiers)))
    neglect = f"CASE COALESCE(tier, 'C') {whens} ELSE 90 END" if tiers else "90"
    rough = ROUGH.format(
        **WEIGHTS,
        evidence="(CASE WHEN n >= 5 THEN 1.0 ELSE n / 5.0 END)",
        least="LEAST" if tx.postgres else "MIN",
        tenure=_days_to_at(tx, "held_since"),
        quiet=_days_to_at(tx, "COALESCE(last, held_since)"),
        neglect=neglect,
    )
    params = {
        **period.bounds,
        "forever": FOREVER,
        "rotation_days": policy.rotation_days,
        "nth": period.top - 1,
        "margin": 2 * rough_slack(policy) + 0.01,
        **{f"tier{i}": t for i, t in enumerate(tiers)},
        **{f"neglect{i}": policy.neglect_days[t] for i, t in enumerate(tiers)},
    }
    return tx.all(SHORTLIST.format(held=HELD_MIX, rough=rough), params)


def risk_inputs(c: Row, policy: PolicyParams, at: datetime) -> RiskInputs:
    """One held customer's row of HELD_MIX as the score's inputs."""
    n, verified, inbound = int(c["n"]), int(c["verified"]), int(c["inbound"])
    return RiskInputs(
        contacts=n,
        top_share=int(c["top_n"]) / n if n else 0.0,
        named_person_share=int(c["named"]) / inbound if inbound else None,
        distinct_staff=int(c["staff"]),
        verified_share=verified / n if n else 0.0,
        discrepancy_rate=int(c["discrepant"]) / verified if verified else 0.0,
        private_share=int(c["private"]) / n if n else 0.0,
        tenure_days=max(0, days_between(c["held_since"], at)),
        rotation_days=policy.rotation_days,
        days_since_contact=max(0, days_between(c["last"] or c["held_since"], at)),
        neglect_days=policy.neglect_days.get(c["tier"] or "C", 90),
        holder_leaving=c["holder_status"] in ("leaving", "departed"),
    )


def control_index(tx: Tx, period: Period) -> Sections:
    """Report 5: per held customer, the signals of drift to one person and a 0-100 risk score."""
    policy = policy_at(tx, period.at)
    if period.top <= 0:
        return {"at_risk": []}
    scored = []
    for c in shortlist(tx, period, policy):
        inputs = risk_inputs(c, policy, period.at)
        components = risk_components(inputs)
        scored.append((score_of(components), c, inputs, components))
    scored.sort(key=lambda s: (-s[0], s[1]["name"]))  # stable: the query's name, id order ties
    shown = scored[: period.top]
    top = _top_contacts(tx, period, [c["customer_id"] for _, c, _, _ in shown])
    rows = [
        {
            "customer_id": c["customer_id"], "customer": c["name"], "tier": c["tier"],
            "holder": c["holder_name"], "score": score, "reasons": reasons_of(inputs, components),
            "top_contact": top.get(c["customer_id"]), **vars(inputs),
        }
        for score, c, inputs, components in shown
    ]  # fmt: skip
    return {"at_risk": rows}


def due_lists(tx: Tx, period: Period) -> Sections:
    """Report 9: rotations due, neglected customers, overdue complaints, unverified contacts."""
    policy, at = policy_at(tx, period.at), period.at
    then = held_at(tx, at, utcnow())  # the holdings of `at`, by the holder shown
    held = [c for c in tx.all(HELD) if then.get(c["customer_id"]) == c["holder"]]
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
