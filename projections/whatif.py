"""Policy what-if: a period's allocator decisions replayed under a candidate policy, nothing written.

Side by side, what happened and what the candidate would have done: leads per rep with the
fairness report's measures (max, min, max-min, Gini, the top reps' share) and A-tier
concentration with the concentration report's (the top reps' share of A-tier holdings, the
largest team's share, HHI over teams), and the decisions that differ. The replay itself is in
`projections/allocation_replay.py`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ledger.errors import InvalidInput
from ledger.policy import PolicyParams
from ledger.service import LedgerService
from projections.allocation_replay import Fold, Outcome, Replay, replay_events, stored_events
from projections.export import bound
from projections.measures import gini, hhi, top_share

Rows = list[dict[str, Any]]


def what_if(
    app: LedgerService,
    candidate: PolicyParams,
    start: datetime,
    end: datetime,
    top: int | None = None,
    listed: int = 10,
) -> WhatIf:
    """Replay the allocator decisions of [start, end) under `candidate`; reads, never writes."""
    start, end = bound(start, "from"), bound(end, "to")
    if start >= end:
        raise InvalidInput(
            "period_empty", "The period's start (from) must come before its end (to).",
            start=start.isoformat(), end=end.isoformat(),
        )  # fmt: skip
    return report(replay_events(stored_events(app), candidate, start, end), top, listed)


@dataclass(frozen=True)
class WhatIf:
    """Actual against candidate, side by side, and the first decisions that differ."""

    start: datetime
    end: datetime
    candidate: dict[str, Any]
    policy_versions: list[int]
    decisions: int
    company_channel: int
    differing: int
    reproduced: int
    comparison: Rows
    per_rep: Rows
    differences: Rows

    @property
    def faithful(self) -> bool:
        """Every recorded pool came out again under the policy then in force."""
        return self.reproduced == self.decisions

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        return data | {"faithful": self.faithful}


def report(replay: Replay, top: int | None = None, listed: int = 10) -> WhatIf:
    outcomes, fold = replay.outcomes, replay.fold
    reps = sorted(
        {o.decision.chosen for o in outcomes}
        | {o.candidate for o in outcomes if o.candidate}
        | {rep for o in outcomes for rep in (*o.actual_pool, *o.candidate_pool)}
    )
    top = top or max(1, math.ceil(len(reps) / 5))
    actual = _World([(o.decision.chosen, o.decision.tier) for o in outcomes], replay.held_a[0])
    candidate = _World([(o.candidate, o.decision.tier) for o in outcomes], replay.held_a[1])
    teams = {str(r.id): r.team for r in fold.reps()}
    measured = actual.measures(reps, teams, top), candidate.measures(reps, teams, top)
    differing = [o for o in outcomes if o.candidate != o.decision.chosen]
    return WhatIf(
        start=replay.start,
        end=replay.end,
        candidate=replay.candidate.to_dict(),
        policy_versions=sorted({o.decision.policy_version for o in outcomes}),
        decisions=len(outcomes),
        company_channel=sum(
            fold.customers.get(o.decision.customer_id, ("", ""))[1] == "company_inbound"
            for o in outcomes
        ),
        differing=len(differing),
        reproduced=sum(o.reproduced for o in outcomes),
        comparison=[
            {"measure": k, "actual": a, "candidate": c, "change": round(c - a, 4)}
            for (k, a), c in zip(measured[0].items(), measured[1].values(), strict=True)
        ],
        per_rep=_per_rep(fold, reps, actual, candidate),
        differences=[_difference(fold, o) for o in differing[:listed]],
    )


@dataclass(frozen=True)
class _World:
    placed: list[tuple[str | None, str]]  # (rep or None, tier) per decision
    held_a: dict[str, int]

    def leads(self, tier: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rep, lead_tier in self.placed:
            if rep is not None and tier in (None, lead_tier):
                counts[rep] = counts.get(rep, 0) + 1
        return counts

    def measures(self, reps: list[str], teams: dict[str, str], top: int) -> dict[str, float]:
        """The fairness report's measures of leads, the concentration report's of A-tier."""
        leads = [float(self.leads().get(r, 0)) for r in reps]
        a_leads = [float(self.leads("A").get(r, 0)) for r in reps]
        held = [float(n) for n in self.held_a.values()]
        by_team: dict[str, float] = {}
        for rep, n in self.held_a.items():
            by_team[teams[rep]] = by_team.get(teams[rep], 0.0) + n
        return {
            "leads_placed": int(sum(leads)),
            "unplaced": sum(rep is None for rep, _ in self.placed),
            "max_per_rep": int(max(leads, default=0)),
            "min_per_rep": int(min(leads, default=0)),
            "max_minus_min": int(max(leads, default=0) - min(leads, default=0)),
            "gini": round(gini(leads), 4),
            "top_share_of_leads": round(top_share(leads, top), 4),
            "a_tier_leads": int(sum(a_leads)),
            "top_share_of_a_tier_leads": round(top_share(a_leads, top), 4),
            "top_share_of_a_tier_held": round(top_share(held, top), 4),
            "largest_team_share_of_a_tier_held": round(top_share(list(by_team.values()), 1), 4),
            "hhi_teams_a_tier_held": round(hhi(list(by_team.values())), 1),
        }


def _per_rep(fold: Fold, reps: list[str], actual: _World, candidate: _World) -> Rows:
    rows = []
    for rid in reps:
        rep = fold.staff(rid)
        was, would = actual.leads().get(rid, 0), candidate.leads().get(rid, 0)
        rows.append({
            "staff_id": rid, "rep": rep.name, "team": rep.team,
            "seniority": rep.seniority.value if rep.seniority else None,
            "leads_actual": was, "leads_candidate": would, "change": would - was,
            "a_tier_held_actual": actual.held_a.get(rid, 0),
            "a_tier_held_candidate": candidate.held_a.get(rid, 0),
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["rep"], r["staff_id"]))


def _difference(fold: Fold, o: Outcome) -> dict[str, Any]:
    def name(rid: str | None) -> str | None:
        return fold.staff(rid).name if rid else None

    d = o.decision
    return {
        "position": o.position, "occurred_at": d.occurred_at.isoformat(),
        "customer_id": d.customer_id, "customer": fold.customers.get(d.customer_id, ("?",))[0],
        "tier": d.tier, "actual_id": d.chosen, "actual": name(d.chosen),
        "candidate_id": o.candidate, "candidate": name(o.candidate),
        "only_in_actual_pool": [name(r) for r in o.actual_pool if r not in o.candidate_pool],
        "only_in_candidate_pool": [name(r) for r in o.candidate_pool if r not in o.actual_pool],
    }  # fmt: skip
