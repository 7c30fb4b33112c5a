"""A realistic, deterministic demo company: three years of one sales department's history.

Everything goes through the application's commands, so the demo obeys the same rules as
real clients do, and its numbers come back out of the stored events.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.demo_records import RecordsLife
from ledger.enums import (
    Role,
    Seniority,
    Source,
    TeamRole,
    Tier,
    TransferReason,
)
from ledger.errors import LedgerError, RuleViolation
from ledger.privacy_demo import add_privacy_story

START = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
END = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
AREAS = ("north", "south", "east", "west")
SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu")
GIVEN = ("Wei", "Fang", "Jie", "Min", "Lei", "Jun", "Yan", "Hui", "Ping", "Qiang", "Na", "Tao")
INDUSTRIES = ("Steel", "Foods", "Logistics", "Pharma", "Textiles", "Motors", "Energy", "Retail")
INBOUND_CHANNELS = ("hotline-1", "hotline-2", "company-mailbox", "web-form")
DEMO_POLICY = {"max_customers_per_rep": 150, "max_a_per_rep": 80}
STAFF_PLAN: tuple[tuple[Role, Seniority | None, int], ...] = (
    (Role.SALES_REP, Seniority.SENIOR, 8),
    (Role.SALES_REP, Seniority.EXPERIENCED, 8),
    (Role.SALES_REP, Seniority.NEW, 8),
    (Role.SERVICE, None, 3),
    (Role.TECHNICAL, None, 3),
    (Role.CALLBACK, None, 3),
    (Role.CLERK, None, 2),
    (Role.MANAGER, None, 2),
    (Role.ALLOCATION_TEAM, None, 2),
    (Role.SALES_VP, None, 1),
)
ELIGIBLE = {
    Tier.A: {Seniority.SENIOR},
    Tier.B: {Seniority.SENIOR, Seniority.EXPERIENCED},
    Tier.C: {Seniority.SENIOR, Seniority.EXPERIENCED, Seniority.NEW},
}

Progress = Callable[[datetime], None]  # told the business time reached


@dataclass
class Person:
    id: UUID
    name: str
    role: Role
    seniority: Seniority | None
    area: str
    lone_wolf: bool = False
    departed: bool = False


@dataclass
class DemoResult:
    staff: list[Person]
    customers: list[UUID]
    refusals: list[LedgerError] = field(default_factory=list)
    departed: Person | None = None


class DemoCompany(RecordsLife):
    """Schedules business actions in time order and plays them through the ledger."""

    def __init__(self, app: OwnershipLedger, seed: int, customers: int) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.n_customers = customers
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = itertools.count()
        self.staff: list[Person] = []
        self.holder: dict[UUID, Person | None] = {}
        self.tier: dict[UUID, Tier] = {}
        self.team: dict[UUID, list[Person]] = {}
        self.people: dict[str, Person] = {}
        self.customers: list[UUID] = []
        self.now = START
        self.result = DemoResult(self.staff, self.customers)

    # --- people ------------------------------------------------------------------

    def hire(self) -> None:
        pairs = [f"{s} {g}" for s in SURNAMES for g in GIVEN]
        names = iter(self.rng.sample(pairs, len(pairs)))
        for role, seniority, count in STAFF_PLAN:
            for i in range(count):
                area = AREAS[i % len(AREAS)]
                name = next(names)
                receipt = self.app.join_staff(
                    name, role, seniority, f"team-{area}", area, START, staff_id=self.new_id()
                )
                lone = role is Role.SALES_REP and self.rng.random() < 0.3
                self.staff.append(Person(receipt.id, name, role, seniority, area, lone))
                self.people[str(receipt.id)] = self.staff[-1]
        self.app.adopt_policy(DEMO_POLICY, START, "demo company's caps", START, self.allocator)
        self.register_channels([(p.id, p.role) for p in self.staff], START, self.allocator)

    def of_role(self, role: Role) -> list[Person]:
        return [p for p in self.staff if p.role is role and not p.departed]

    @property
    def allocator(self) -> str:
        return str(self.of_role(Role.ALLOCATION_TEAM)[0].id)

    def new_id(self) -> UUID:
        """Ids from the seed, so the allocator's id tie-breaks repeat from run to run."""
        return UUID(int=self.rng.getrandbits(128), version=4)

    def load(self, person: Person) -> int:
        return len(self.app.staff_view(person.id).book)

    def candidates(self, tier: Tier, exclude: Person | None) -> list[Person]:
        reps = [
            p
            for p in self.of_role(Role.SALES_REP)
            if p.seniority in ELIGIBLE[tier] and p is not exclude
        ]
        return sorted(reps, key=lambda p: (self.load(p), p.name))

    # --- scheduling ----------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        if when <= END:
            heapq.heappush(self.queue, (when, next(self.seq), action))

    def schedule(self) -> None:
        span = (END - START).total_seconds()
        for i in range(self.n_customers):
            when = START + timedelta(seconds=span * 0.85 * (i / self.n_customers))
            self.at(when + timedelta(hours=self.rng.randint(1, 8)), self.registration(i))
        month = START
        while month < END:
            month += timedelta(days=30)
            self.at(month, self.monthly)
        self.at(datetime(2025, 6, 2, 9, tzinfo=UTC), self.departure)
        self.at(datetime(2024, 9, 2, 9, tzinfo=UTC), self.a_tier_moves)

    def run(self, progress: Progress) -> DemoResult:
        self.hire()
        self.schedule()
        while self.queue:
            self.now, _, action = heapq.heappop(self.queue)
            action()
            progress(self.now)
        self.privacy()
        return self.result

    def privacy(self) -> None:
        """S8: a campaign share, an export under it, a refused export to a rival, a warning."""
        rep = max(self.of_role(Role.SALES_REP), key=lambda p: (p.lone_wolf, self.load(p), p.name))
        manager = self.of_role(Role.MANAGER)[0]
        story = add_privacy_story(self.app, manager.id, rep.id, END + timedelta(hours=1))
        self.note(story.refusal)

    # --- customer life ---------------------------------------------------------------

    def registration(self, i: int) -> Callable[[], None]:
        def act() -> None:
            rng = self.rng
            when = self.now
            source = rng.choices(
                [Source.COMPANY_INBOUND, Source.REP_PROSPECTED, Source.IMPORTED], [6, 3, 1]
            )[0]
            channel = rng.choice(INBOUND_CHANNELS) if source is Source.COMPANY_INBOUND else None
            area = rng.choice(AREAS)
            name = f"{rng.choice(SURNAMES)} {rng.choice(INDUSTRIES)} Co. #{i + 1:04d}"
            by = self.allocator
            cid = self.app.register_customer(
                name, source, when, by, channel, area, customer_id=self.new_id()
            ).id
            tier = rng.choices([Tier.A, Tier.B, Tier.C], [2, 3, 5])[0]
            inputs = {
                "value": rng.randint(1, 100),
                "potential": rng.randint(1, 100),
                "revenue": rng.randint(10, 5000) * 1000,
            }
            self.app.grade_customer(cid, tier, "initial grading", when, by, inputs)
            self.customers.append(cid)
            self.tier[cid], self.team[cid] = tier, []
            if tier is not Tier.C:
                self.key_people(cid)
            if source is Source.COMPANY_INBOUND:
                self.claim_attempt(cid)
                self.app.allocate_lead(cid, when, by)
            else:
                self.place(cid, tier)
            self.sync(cid)
            self.plan_life(cid, when)

        return act

    def plan_life(self, cid: UUID, since: datetime) -> None:
        rng = self.rng
        t = since
        while True:
            lapse = rng.randint(100, 160) if rng.random() < 0.02 else rng.randint(10, 60)
            t += timedelta(days=lapse, hours=rng.randint(0, 6))
            if t > END:
                break
            self.at(t, self.contact(cid))
        if rng.random() < 0.2:
            self.at(since + timedelta(days=rng.randint(20, 200)), self.contract(cid))
        if rng.random() < 0.08:
            self.at(since + timedelta(days=rng.randint(30, 400)), self.complaint(cid))

    # --- what RecordsLife needs of the company ---------------------------------------

    def staff_of(self, role: Role) -> list[UUID]:
        return [p.id for p in self.of_role(role)]

    def person_id(self, person: object) -> UUID:
        assert isinstance(person, Person)
        return person.id

    def is_lone_wolf(self, person: object) -> bool:
        return isinstance(person, Person) and person.lone_wolf

    def join_team(self, cid: UUID, role: Role, team_role: TeamRole) -> Callable[[], None]:
        def act() -> None:
            member = self.rng.choice(self.of_role(role))
            self.app.add_team_member(cid, member.id, team_role, self.now, self.allocator)
            self.team[cid].append(member)

        return act

    # --- company moves -------------------------------------------------------------

    def sync(self, cid: UUID) -> None:
        """The demo asks the ledger who holds a customer; it keeps no holdings of its own."""
        holder = self.app.customer_view(cid).holder
        self.holder[cid] = self.people[holder] if holder else None

    def place(self, cid: UUID, tier: Tier) -> None:
        """The allocation team's choice: the least loaded eligible rep who passes every rule."""
        for rep in self.candidates(tier, exclude=None):
            try:
                self.app.assign_customer(cid, rep.id, self.now, self.allocator, reason="tier match")
                return
            except RuleViolation as refusal:
                self.note(refusal)
        self.app.allocate_lead(cid, self.now, self.allocator)

    def monthly(self) -> None:
        """Month end: release neglected customers, reallocate the pool, rotate due holdings."""
        self.app.sweep_neglected(list(self.customers), self.now, self.allocator)
        period = self.app.policy_in_force(self.now).params.rotation_days
        for cid in self.customers:
            customer = self.app.customer_view(cid)
            if customer.holder is None:
                self.try_refused(partial(self.app.allocate_lead, cid, self.now, self.allocator))
            elif customer.held_since and (self.now - customer.held_since).days >= period:
                self.try_refused(partial(self.app.rotate_customer, cid, self.now, self.allocator))
            self.sync(cid)

    def departure(self) -> None:
        """The busiest rep resigns; a plan hands every holding on before the departure."""
        leaver = max(self.of_role(Role.SALES_REP), key=lambda p: (self.load(p), p.name))
        self.result.departed = leaver
        by = self.allocator
        self.app.announce_departure(
            leaver.id, self.now + timedelta(days=30), "resigned", self.now, by
        )
        self.try_refused(lambda: self.app.record_departure(leaver.id, "resigned", self.now, by))
        leaver.departed = True
        plan = self.departure_plan(leaver)
        self.app.record_departure(leaver.id, "resigned", self.now, by, plan=plan)
        for moved in plan:
            self.sync(moved)
        somebody = self.customers[0]
        self.try_refused(
            lambda: self.app.add_team_member(somebody, leaver.id, TeamRole.SERVICE, self.now, by)
        )

    def departure_plan(self, leaver: Person) -> dict[UUID, UUID | None]:
        """Least-loaded successors within the caps; what nobody can take goes to the pool."""
        params = self.app.policy_in_force(self.now).params
        planned: dict[UUID, list[Tier]] = {}
        plan: dict[UUID, UUID | None] = {}
        for held in sorted(self.app.staff_view(leaver.id).book):
            cid, tier = UUID(held), self.tier[UUID(held)]
            earlier = self.app.customer_view(cid).released_from

            def room(p: Person, tier: Tier = tier) -> bool:
                book, extra = self.app.staff_view(p.id).book, planned.get(p.id, [])
                a_tier = sum(t is Tier.A for t in [*book.values(), *extra, tier])
                return len(book) + len(extra) < params.max_customers_per_rep and (
                    tier is not Tier.A or a_tier <= params.max_a_per_rep
                )

            fits = [
                p for p in self.candidates(tier, leaver) if str(p.id) not in earlier and room(p)
            ]
            chosen = min(
                fits,
                key=lambda p: (self.load(p) + len(planned.get(p.id, [])), p.name),
                default=None,
            )
            plan[cid] = chosen.id if chosen else None
            if chosen:
                planned.setdefault(chosen.id, []).append(tier)
        return plan

    def claim_attempt(self, cid: UUID) -> None:
        """Blue Sun: a veteran tries to keep a hotline lead for himself (refused, rule 75)."""
        if not any(r.code == "company_lead_allocator_only" for r in self.result.refusals):
            veteran = self.candidates(Tier.C, exclude=None)[-1]
            self.try_refused(
                lambda: self.app.assign_customer(cid, veteran.id, self.now, str(veteran.id))
            )

    def a_tier_moves(self) -> None:
        """A manager's rebalance of an A-tier customer: refused alone, done with a second approval."""
        cid = next(c for c in self.customers if self.tier[c] is Tier.A and self.holder[c])
        holder = self.holder[cid]
        target = next(p for p in self.candidates(Tier.A, exclude=holder))
        first, second = self.of_role(Role.MANAGER)[:2]
        reason = TransferReason.REBALANCE
        self.try_refused(
            lambda: self.app.reassign_customer(cid, target.id, reason, self.now, str(first.id))
        )
        request = self.app.request_transfer(cid, target.id, reason, self.now, str(first.id))
        assert request.ref is not None
        self.app.approve_transfer(cid, request.ref, self.now, str(second.id))
        self.sync(cid)
        newbie = self.candidates(Tier.C, exclude=None)
        junior = next(p for p in newbie if p.seniority is Seniority.NEW)
        fresh = next(c for c in self.customers if self.tier[c] is Tier.A and self.holder[c])
        self.try_refused(
            lambda: (
                self.app.request_transfer(fresh, junior.id, reason, self.now, str(first.id))
                and self.app.approve_transfer(fresh, self.pending(fresh), self.now, str(second.id))
            )
        )
        self.sync(fresh)

    def pending(self, cid: UUID) -> str:
        pending = self.app.customer_view(cid).pending_transfer
        assert pending is not None
        return str(pending["request_id"])

    def note(self, refusal: LedgerError) -> None:
        if all(r.code != refusal.code for r in self.result.refusals):
            self.result.refusals.append(refusal)

    def try_refused(self, command: Callable[[], object]) -> None:
        try:
            command()
        except LedgerError as refusal:
            self.note(refusal)


def build_demo_company(
    app: OwnershipLedger, seed: int = 7, customers: int = 2000, progress: Progress | None = None
) -> DemoResult:
    return DemoCompany(app, seed, customers).run(progress or (lambda _: None))
