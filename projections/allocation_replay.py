"""The allocator's decisions of a period replayed under another policy, in memory only.

The event log is folded in its own order, as the allocator saw it: staff and their books, the
A-tier census, the lead roster, the policy versions, and where each customer was released from.
At every allocator decision of the period the eligible pool is rebuilt twice with the allocator's
own rules: under the policy then in force, which must give the recorded pool again (the replay
checks itself), and under the candidate, in a candidate world where each lead placed differently
sits in the candidate rep's book instead of the actual holder's for as long as the actual holder
kept it. Every other move happens as it did. The same smooth weighted round-robin then chooses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.commands.placement import caps_of
from ledger.customer import Customer
from ledger.enums import Role, StaffStatus, Tier
from ledger.errors import RuleViolation
from ledger.event_types import event_classes
from ledger.policy import DEFAULT_POLICY, Policy, PolicyParams, PolicyVersion
from ledger.roster import LeadRoster
from ledger.rules import concentration, distribution, eligibility, rotation, seniority
from ledger.service import LedgerService
from ledger.staff import Staff
from ledger.team import Census, Team

FOLDED = ("Staff.", "Team.", "Census.", "LeadRoster.", "Policy.")  # whole aggregates, replayed
CUSTOMER_FACTS = (Customer.Registered, Customer.Reassigned, Customer.Released)
PAGE = 2000
Held = dict[str, tuple[int, int]]  # rep -> (customers held, A-tier held)


def folded_classes() -> frozenset[type]:
    """Every event of the folded aggregates: a fold needs all of them."""
    return frozenset(c for name, c in event_classes().items() if name.startswith(FOLDED))


def folded_topics() -> list[str]:
    return sorted({get_topic(c) for c in (*folded_classes(), *CUSTOMER_FACTS)})


class Fold:
    """The company as the allocator saw it, one stored event at a time."""

    def __init__(self) -> None:
        self.aggregates: dict[UUID, Aggregate] = {}
        self.released: dict[str, dict[str, list[str]]] = {}
        self.customers: dict[str, tuple[str, str]] = {}  # id -> (name, source)
        self.folded = folded_classes()

    def apply(self, e: Any) -> None:
        cid = str(e.originator_id)
        if isinstance(e, Customer.Registered):
            self.customers[cid] = (e.name, e.source.value)
        elif isinstance(e, Customer.Reassigned | Customer.Released):
            self.released.setdefault(cid, {})[e.from_holder] = [
                e.occurred_at.isoformat(),
                e.reason_code.value,
            ]
        elif type(e) in self.folded:
            aggregate = e.mutate(self.aggregates.get(e.originator_id))
            assert aggregate is not None
            self.aggregates[e.originator_id] = aggregate

    def staff(self, staff_id: str) -> Staff:
        staff = self.aggregates[UUID(staff_id)]
        assert isinstance(staff, Staff)
        return staff

    def reps(self) -> list[Staff]:
        """Everyone enrolled on the lead roster, by id (the allocator's order)."""
        roster = self.aggregates.get(LeadRoster.create_id())
        members = roster.members if isinstance(roster, LeadRoster) else {}
        return [self.staff(staff_id) for staff_id in sorted(members)]

    def team_a(self, name: str) -> int:
        team = self.aggregates.get(Team.create_id(name))
        return len(team.a_tier) if isinstance(team, Team) else 0

    def company_a(self) -> int:
        census = self.aggregates.get(Census.create_id())
        return len(census.a_tier) if isinstance(census, Census) else 0

    def policy_at(self, at: datetime) -> PolicyVersion:
        policy = self.aggregates.get(Policy.create_id())
        return policy.in_force(at) if isinstance(policy, Policy) else DEFAULT_POLICY


@dataclass
class Moved:
    """A lead the candidate placed elsewhere (None: nowhere), still with its actual holder."""

    actual: str
    candidate: str | None


@dataclass
class Outcome:
    """One decision of the period: the recorded one and the candidate's (None: no eligible rep)."""

    position: int
    decision: LeadRoster.LeadAllocated
    candidate: str | None
    reproduced: bool
    actual_pool: list[str]  # as recorded
    candidate_pool: list[str]


@dataclass
class Replay:
    """The candidate world beside the actual one, advanced decision by decision."""

    fold: Fold
    candidate: PolicyParams
    start: datetime
    end: datetime
    credits: dict[str, int] | None = None
    moved: dict[str, Moved] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    held_a: tuple[dict[str, int], dict[str, int]] = field(default_factory=lambda: ({}, {}))

    def decide(self, d: LeadRoster.LeadAllocated, position: int) -> None:
        if not self.start <= d.occurred_at < self.end:
            if self.credits is not None:  # an earlier or later decision recorded in between
                self.credits = _mirror(self.credits, d)
            return
        actual, candidate = self._held()
        in_force = self.fold.policy_at(d.occurred_at)
        rebuilt = _pool(self.fold, d, in_force.params, actual)
        pool = _pool(self.fold, d, self.candidate, candidate)
        chosen = self._choose(pool, d)
        reproduced = in_force.version == d.policy_version and [asdict(c) for c in rebuilt] == d.pool
        recorded = [m["staff_id"] for m in d.pool]
        self.outcomes.append(
            Outcome(position, d, chosen, reproduced, recorded, [c.staff_id for c in pool])
        )
        if chosen != d.chosen:
            self.moved[d.customer_id] = Moved(d.chosen, chosen)
        else:
            self.moved.pop(d.customer_id, None)
        self.held_a = actual.a_after(d.chosen, d.tier), candidate.a_after(chosen, d.tier)

    def _choose(
        self, pool: list[distribution.Candidate], d: LeadRoster.LeadAllocated
    ) -> str | None:
        """The same smooth weighted round-robin, on the candidate's own credits."""
        credits = dict(d.credits_before) if self.credits is None else self.credits
        try:
            choice = distribution.choose(pool, credits)
        except RuleViolation:  # no eligible rep: the lead would stay in the company pool
            self.credits = credits
            return None
        self.credits = choice.credits_after
        return choice.chosen

    def _held(self) -> tuple[Books, Books]:
        """Books as the allocator saw them, and as they would be in the candidate world."""
        reps = {str(r.id): r for r in self.fold.reps()}
        for cid, move in list(self.moved.items()):
            if cid not in reps[move.actual].book:
                del self.moved[cid]  # it left the holder: the candidate world moved it alike
        held = {rid: (len(r.book), r.count_tier(Tier.A)) for rid, r in reps.items()}
        actual = Books(held, {r.team: self.fold.team_a(r.team) for r in reps.values()})
        candidate = Books(dict(held), dict(actual.team_a))
        for cid, move in self.moved.items():
            a_tier = reps[move.actual].book[cid] is Tier.A
            candidate.add(move.actual, reps[move.actual].team, -1, a_tier)
            if move.candidate is not None:
                candidate.add(move.candidate, reps[move.candidate].team, 1, a_tier)
        return actual, candidate


@dataclass
class Books:
    """What the caps read: each rep's customers and A-tier customers, each team's A-tier."""

    held: Held
    team_a: dict[str, int]

    def add(self, rep: str, team: str, n: int, a_tier: bool) -> None:
        held, held_a = self.held[rep]
        self.held[rep] = (held + n, held_a + n * a_tier)
        self.team_a[team] += n * a_tier

    def a_after(self, chosen: str | None, tier: str) -> dict[str, int]:
        """A-tier held per rep once this decision's lead is placed."""
        return {rid: a + int(rid == chosen and tier == "A") for rid, (_, a) in self.held.items()}


def _mirror(credits: dict[str, int], d: LeadRoster.LeadAllocated) -> dict[str, int]:
    keys = set(credits) | set(d.credits_after)
    return {
        k: credits.get(k, 0) + d.credits_after.get(k, 0) - d.credits_before.get(k, 0) for k in keys
    }


def _pool(
    fold: Fold, d: LeadRoster.LeadAllocated, params: PolicyParams, books: Books
) -> list[distribution.Candidate]:
    """The allocator's pool: active sales reps with weight who pass every rule strictly."""
    pool = []
    for rep in fold.reps():
        weight = params.lead_weights.get(rep.seniority.value if rep.seniority else "", 0)
        active = rep.role is Role.SALES_REP and rep.status_at(d.occurred_at) is StaffStatus.ACTIVE
        if active and weight > 0 and _passes(fold, d, rep, params, books):
            pool.append(distribution.Candidate(str(rep.id), weight, books.held[str(rep.id)][0]))
    return pool


def _passes(
    fold: Fold, d: LeadRoster.LeadAllocated, rep: Staff, params: PolicyParams, books: Books
) -> bool:
    """The checks of a placement (`PlacementMixin._placement_checks`), with no exception."""
    rid, tier, cid, at = str(rep.id), Tier(d.tier), d.customer_id, d.occurred_at
    held, held_a = books.held[rid]
    caps = caps_of(params)
    try:
        eligibility.check_can_hold(rid, rep.role, rep.status_at(at))
        seniority.check_tier_seniority(cid, tier, rid, rep.seniority, params.tier_seniority)
        concentration.check_rep_caps(rid, held, held_a, tier, caps)
        team_a, company_a = books.team_a[rep.team], fold.company_a()
        concentration.check_team_share(rep.team, team_a, company_a, tier, caps)
        rotation.check_return(
            cid, rid, fold.released.get(cid, {}), at,
            params.rotation_cooldown_days, params.neglect_protection_days,
        )  # fmt: skip
    except RuleViolation:
        return False
    return True


def replay_events(
    events: Iterable[tuple[Any, int]], candidate: PolicyParams, start: datetime, end: datetime
) -> Replay:
    """Pure: fold (event, position) pairs in log order, replaying the period's decisions."""
    replay = Replay(Fold(), candidate, start, end)
    for e, position in events:
        if isinstance(e, LeadRoster.LeadAllocated):
            replay.decide(e, position)
        replay.fold.apply(e)
    return replay


def stored_events(app: LedgerService) -> Iterator[tuple[Any, int]]:
    """The folded events in log order, read page by page (the fold needs nothing else)."""
    topics, start = folded_topics(), 1
    while page := app.recorder.select_notifications(start, PAGE, topics=topics):
        for n in page:
            yield app.mapper.to_domain_event(n), n.id
        start = page[-1].id + 1
