"""Reports 6, 7 and 8: concentration of holdings, fairness of inbound leads, the transfers audit."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from decimal import Decimal

from ledger.clock import utcnow
from projections.holdings import held_at, holder_at, tiers_at
from projections.measures import chi_square, gini, hhi, top_share
from projections.reports.period import Period, Rows, Sections, policy_at
from projections.schema import ts
from projections.store import Tx

BLUE_SUN_SHARE = 0.5  # the top fifth of eligible reps receiving over half the company leads
BLUE_SUN_GINI = 0.5  # or leads as unequal as two of five reps taking everything (Gini 0.6)
BLUE_SUN_MIN_LEADS = 10


def concentration(tx: Tx, period: Period) -> Sections:
    """Report 6: holdings per rep by tier, the top reps' shares, and HHI over reps and teams."""
    known = period.known_at or utcnow()
    reps = tx.all(
        "SELECT staff_id, name, team, seniority FROM ledger_rm_staff WHERE role='sales_rep' "
        "AND joined_at<=:t ORDER BY name, staff_id",
        {"t": ts(period.at)},
    )
    held = held_at(tx, period.at, known)  # the books at `at`, not today's
    tiers = tiers_at(tx, period.at, known)
    value: dict[str, Decimal] = defaultdict(Decimal)
    for row in tx.all(
        "SELECT customer_id, value FROM ledger_rm_contract WHERE occurred_at<=:t",
        {"t": ts(period.at)},
    ):
        value[row["customer_id"]] += Decimal(row["value"])
    books: dict[str, Counter[str]] = defaultdict(Counter)
    worth: dict[str, Decimal] = defaultdict(Decimal)
    for customer, holder in held.items():
        books[holder][tiers.get(customer) or "-"] += 1
        worth[holder] += value[customer]
    a_cap = policy_at(tx, period.at).max_a_per_rep
    per_rep = [
        {"staff_id": r["staff_id"], "rep": r["name"], "team": r["team"], "seniority": r["seniority"],
         "over_a_cap": books[r["staff_id"]]["A"] > a_cap,
         "A": books[r["staff_id"]]["A"], "B": books[r["staff_id"]]["B"],
         "C": books[r["staff_id"]]["C"], "ungraded": books[r["staff_id"]]["-"],
         "total": sum(books[r["staff_id"]].values()), "contract_value": str(worth[r["staff_id"]])}
        for r in reps
    ]  # fmt: skip
    teams: dict[str, Counter[str]] = defaultdict(Counter)
    for r in per_rep:
        teams[r["team"]]["A"] += r["A"]
        teams[r["team"]]["all"] += r["total"]
    totals = [float(r["total"]) for r in per_rep]
    a_tier = [float(r["A"]) for r in per_rep]
    values = [float(worth[r["staff_id"]]) for r in per_rep]
    summary = {
        "reps": len(per_rep),
        "top": period.top,
        "top_share_of_a_tier": round(top_share(a_tier, period.top), 4),
        "reps_over_a_cap": sum(bool(r["over_a_cap"]) for r in per_rep),
        "top_share_of_contract_value": round(top_share(values, period.top), 4),
        "hhi_reps_all": round(hhi(totals), 1),
        "hhi_reps_a_tier": round(hhi(a_tier), 1),
        "hhi_teams_all": round(hhi([float(t["all"]) for t in teams.values()]), 1),
        "hhi_teams_a_tier": round(hhi([float(t["A"]) for t in teams.values()]), 1),
    }
    return {"per_rep": per_rep, "summary": [summary]}


def lead_fairness(tx: Tx, period: Period) -> Sections:
    """Report 7: company-channel leads per eligible rep against the allocator's weights."""
    decisions = tx.all(
        "SELECT customer_id, chosen, pool FROM ledger_rm_lead "
        "WHERE occurred_at>=:since AND occurred_at<:until ORDER BY position",
        period.bounds,
    )
    overrides = _overrides(tx, period)
    allocated: Counter[str] = Counter(d["chosen"] for d in decisions)
    received = allocated + Counter(o["to_holder"] for o in overrides)
    expected: dict[str, float] = defaultdict(float)
    for d in decisions:
        pool = json.loads(d["pool"])
        weights = sum(m["weight"] for m in pool)
        for m in pool:
            expected[m["staff_id"]] += m["weight"] / weights if weights else 0.0
    reps = tx.all(
        "SELECT staff_id FROM ledger_rm_staff WHERE role='sales_rep' AND joined_at<:until "
        "AND (status<>'departed' OR departed_at IS NULL OR departed_at>=:since)",
        period.bounds,
    )
    eligible = sorted(set(expected) | set(received) | {r["staff_id"] for r in reps})
    names = {r["staff_id"]: r["name"] for r in tx.all("SELECT staff_id, name FROM ledger_rm_staff")}
    per_rep = [
        {"staff_id": s, "rep": names.get(s, s), "leads": received[s],
         "allocated": allocated[s], "expected": round(expected[s], 4), "overrides": sum(o["to_holder"] == s for o in overrides)}
        for s in eligible
    ]  # fmt: skip
    return {
        "per_rep": per_rep,
        "summary": [_fairness_summary(per_rep, len(decisions))],
        "overrides": overrides,
    }


def _fairness_summary(per_rep: Rows, decisions: int) -> dict[str, object]:
    leads = [float(r["leads"]) for r in per_rep]
    test = chi_square([float(r["allocated"]) for r in per_rep], [r["expected"] for r in per_rep])
    total, fifth = sum(leads), max(1, math.ceil(len(leads) / 5))
    concentrated = top_share(leads, fifth) if total else 0.0
    return {
        "leads": int(total), "allocator_decisions": decisions, "eligible_reps": len(per_rep),
        "max": int(max(leads, default=0)), "min": int(min(leads, default=0)),
        "max_minus_min": int(max(leads, default=0) - min(leads, default=0)),
        "gini": round(gini(leads), 4), "chi_square": round(test.statistic, 3), "df": test.df,
        "p_value": round(test.p_value, 4), "top_fifth_share": round(concentrated, 4),
        "blue_sun_pattern": total >= BLUE_SUN_MIN_LEADS
        and (concentrated > BLUE_SUN_SHARE or gini(leads) >= BLUE_SUN_GINI),
        **_top_reps(per_rep, fifth),
    }  # fmt: skip


def _top_reps(per_rep: Rows, count: int) -> dict[str, object]:
    """The sentence a sales manager reads first: what the busiest reps got, against what the
    allocator's weights would have given the same reps."""
    ranked = sorted(per_rep, key=lambda r: -float(r["leads"]))[:count]
    total = sum(float(r["leads"]) for r in per_rep)
    fair = sum(float(r["expected"]) for r in per_rep)
    return {
        "top_reps": len(ranked),
        "top_reps_share": round(sum(float(r["leads"]) for r in ranked) / total, 4)
        if total
        else 0.0,
        "top_reps_fair_share": round(sum(float(r["expected"]) for r in ranked) / fair, 4)
        if fair
        else 0.0,
    }


def _overrides(tx: Tx, period: Period) -> Rows:
    """Company-channel placements not made by the allocator: manager overrides and imported history."""
    return tx.all(
        "SELECT k.customer_id, c.name AS customer, k.to_holder, k.actor, k.rule, k.reason, "
        "k.occurred_at FROM ledger_rm_custody k "
        "JOIN ledger_rm_customer c ON c.customer_id = k.customer_id "
        "WHERE k.kind='assigned' AND k.rule<>'lead_allocator' AND c.source='company_inbound' "
        "AND k.occurred_at>=:since AND k.occurred_at<:until ORDER BY k.occurred_at, k.position",
        period.bounds,
    )


def transfers(tx: Tx, period: Period) -> Sections:
    """Report 8: every reassignment, release and rotation in the period, with who asked and why."""
    rows = tx.all(
        "SELECT k.occurred_at, k.customer_id, c.name AS customer, k.kind, k.from_holder, "
        "k.to_holder, k.reason, k.rule, k.actor, k.approver, k.policy_version, "
        "COALESCE(q.actor, k.actor) AS requester FROM ledger_rm_custody k "
        "JOIN ledger_rm_customer c ON c.customer_id = k.customer_id "
        "LEFT JOIN ledger_rm_custody q ON q.request_id = k.request_id "
        "AND q.kind='transfer_requested' AND k.request_id IS NOT NULL "
        "WHERE k.kind IN ('reassigned', 'released') AND k.occurred_at>=:since "
        "AND k.occurred_at<:until ORDER BY k.occurred_at, k.position",
        period.bounds,
    )
    for row in rows:
        if row["reason"] == "rotation":
            row["kind"] = "rotated"
    return {"transfers": rows}


def holders_as_of(tx: Tx, period: Period) -> Sections:
    """Query 2 for every customer registered by `at`: its holder then, as known at `known_at`.

    The columns are a book of business a CRM can load again: the ledger's ids beside the
    CRM's own (`source_ref`, for a customer adopted from one) and the tier graded by then.
    """
    known_at = period.known_at or utcnow()
    when = {"t": ts(period.at), "r": ts(known_at)}
    names = {r["staff_id"]: r["name"] for r in tx.all("SELECT staff_id, name FROM ledger_rm_staff")}
    tiers = tiers_at(tx, period.at, known_at)
    rows = []
    customers = tx.all(
        "SELECT customer_id, source_ref, name FROM ledger_rm_customer WHERE registered_at<=:t "
        "ORDER BY name, customer_id",
        when,
    )
    for c in customers:
        held = holder_at(tx, c["customer_id"], period.at, known_at)
        holder = held.holder if held else None
        rows.append(
            {
                "customer_id": c["customer_id"],
                "source_ref": c["source_ref"],
                "customer": c["name"],
                "holder_id": holder,
                "holder": names.get(holder or "", holder),
                "since": held.valid_from if held and holder else None,
                "tier": tiers.get(c["customer_id"]),
            }
        )
    return {"holders": rows}
