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
from decimal import Decimal
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    Role,
    Seniority,
    Source,
    TeamRole,
    Tier,
    TransferReason,
)
from ledger.errors import LedgerError

START = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
END = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
AREAS = ("north", "south", "east", "west")
SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu")
GIVEN = ("Wei", "Fang", "Jie", "Min", "Lei", "Jun", "Yan", "Hui", "Ping", "Qiang", "Na", "Tao")
INDUSTRIES = ("Steel", "Foods", "Logistics", "Pharma", "Textiles", "Motors", "Energy", "Retail")
INBOUND_CHANNELS = ("hotline-1", "hotline-2", "company-mailbox", "web-form")
DEMO_POLICY = {"max_customers_per_rep": 150, "max_a_per_rep": 60}
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


class DemoCompany:
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
        self.load: dict[UUID, int] = {}
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
                receipt = self.app.join_staff(name, role, seniority, f"team-{area}", area, START)
                lone = role is Role.SALES_REP and self.rng.random() < 0.3
                self.staff.append(Person(receipt.id, name, role, seniority, area, lone))
                self.load[receipt.id] = 0
        self.app.adopt_policy(DEMO_POLICY, START, "demo company's caps", START, self.allocator)

    def of_role(self, role: Role) -> list[Person]:
        return [p for p in self.staff if p.role is role and not p.departed]

    @property
    def allocator(self) -> str:
        return str(self.of_role(Role.ALLOCATION_TEAM)[0].id)

    def pick_rep(self, tier: Tier, area: str | None, exclude: Person | None = None) -> Person:
        reps = [
            p
            for p in self.of_role(Role.SALES_REP)
            if p.seniority in ELIGIBLE[tier]
            and p is not exclude
            and (area is None or p.area != area)
        ]
        return min(reps, key=lambda p: (self.load[p.id], p.name))

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
            self.at(month, self.rotate_due)
        self.at(datetime(2025, 6, 2, 9, tzinfo=UTC), self.departure)

    def run(self, progress: Progress) -> DemoResult:
        self.hire()
        self.schedule()
        while self.queue:
            self.now, _, action = heapq.heappop(self.queue)
            action()
            progress(self.now)
        return self.result

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
            cid = self.app.register_customer(name, source, when, by, channel, area).id
            tier = rng.choices([Tier.A, Tier.B, Tier.C], [2, 3, 5])[0]
            inputs = {"value": rng.randint(1, 100), "potential": rng.randint(1, 100)}
            self.app.grade_customer(cid, tier, "initial grading", when, by, inputs)
            rep = self.pick_rep(tier, None)
            self.app.assign_customer(cid, rep.id, when, by, reason=f"tier {tier.value} to {area}")
            self.customers.append(cid)
            self.holder[cid], self.tier[cid], self.team[cid] = rep, tier, []
            self.load[rep.id] += 1
            self.plan_life(cid, when)

        return act

    def plan_life(self, cid: UUID, since: datetime) -> None:
        rng = self.rng
        t = since
        while True:
            t += timedelta(days=rng.expovariate(1 / 45), hours=rng.randint(0, 6))
            if t > END:
                break
            self.at(t, self.contact(cid))
        if rng.random() < 0.2:
            self.at(since + timedelta(days=rng.randint(20, 200)), self.contract(cid))
        if rng.random() < 0.08:
            self.at(since + timedelta(days=rng.randint(30, 400)), self.complaint(cid))

    def contact(self, cid: UUID) -> Callable[[], None]:
        def act() -> None:
            holder = self.holder[cid]
            if holder is None:
                return
            people = [holder] if holder.lone_wolf else [holder, *self.team[cid]]
            person = self.rng.choice(people)
            kind = self.rng.choice(list(ContactKind))
            channel = self.rng.choices(
                list(ContactChannel), [4, 2, 4, 1 if holder.lone_wolf else 0, 1]
            )[0]
            receipt = self.app.record_contact(
                cid, person.id, kind, channel, self.now, str(person.id),
                met="purchasing lead", decision_maker_met=self.rng.random() < 0.4,
                needs="volume pricing", next_step="follow-up call",
            )  # fmt: skip
            assert receipt.ref is not None
            if kind is ContactKind.TRIP:
                amount = Decimal(self.rng.randint(300, 3000))
                self.app.claim_expense(cid, receipt.ref, amount, self.now, str(person.id))
            if self.rng.random() < 0.45:
                later = self.now + timedelta(days=self.rng.randint(1, 10))
                self.at(later, self.callback(cid, receipt.ref))

        return act

    def callback(self, cid: UUID, contact_id: str) -> Callable[[], None]:
        def act() -> None:
            caller = self.rng.choice(self.of_role(Role.CALLBACK))
            outcome = self.rng.choices(list(CallbackOutcome), [8, 1, 1])[0]
            score = None if outcome is CallbackOutcome.UNREACHABLE else self.rng.randint(2, 5)
            self.app.verify_contact(
                cid, contact_id, caller.id, outcome, self.now, str(caller.id), satisfaction=score
            )

        return act

    def contract(self, cid: UUID) -> Callable[[], None]:
        def act() -> None:
            value = Decimal(self.rng.randint(10, 500) * 1000)
            self.app.sign_contract(
                cid, f"CT-{self.rng.randint(10000, 99999)}", value, self.now, self.allocator
            )
            for role, team_role, days in (
                (Role.SERVICE, TeamRole.SERVICE, 5),
                (Role.TECHNICAL, TeamRole.TECHNICAL, 9),
            ):
                member = self.rng.choice(self.of_role(role))
                self.at(self.now + timedelta(days=days), self.join_team(cid, member, team_role))

        return act

    def join_team(self, cid: UUID, member: Person, team_role: TeamRole) -> Callable[[], None]:
        def act() -> None:
            self.app.add_team_member(cid, member.id, team_role, self.now, self.allocator)
            self.team[cid].append(member)

        return act

    def complaint(self, cid: UUID) -> Callable[[], None]:
        def act() -> None:
            ref = self.app.log_complaint(cid, "late delivery", self.now, self.allocator).ref
            assert ref is not None
            if self.rng.random() < 0.7:
                self.at(self.now + timedelta(days=self.rng.randint(1, 20)), self.resolve(cid, ref))

        return act

    def resolve(self, cid: UUID, ref: str) -> Callable[[], None]:
        def act() -> None:
            self.app.resolve_complaint(cid, ref, "replacement shipped", self.now, self.allocator)

        return act

    # --- company moves -------------------------------------------------------------

    def move(self, cid: UUID, to: Person, reason: TransferReason) -> None:
        giver = self.holder[cid]
        assert giver is not None
        self.app.reassign_customer(cid, to.id, reason, self.now, self.allocator)
        self.load[giver.id] -= 1
        self.load[to.id] += 1
        self.holder[cid] = to

    def rotate_due(self) -> None:
        period = self.app.policy_in_force(self.now).params.rotation_days
        for cid in list(self.customers):
            customer = self.app.customer(cid)
            holder = self.holder[cid]
            if (
                holder
                and customer.held_since
                and self.now - customer.held_since >= timedelta(days=period)
            ):
                self.move(
                    cid,
                    self.pick_rep(self.tier[cid], holder.area, exclude=holder),
                    TransferReason.ROTATION,
                )

    def departure(self) -> None:
        leaver = max(self.of_role(Role.SALES_REP), key=lambda p: (self.load[p.id], p.name))
        self.app.announce_departure(
            leaver.id, self.now + timedelta(days=30), "resigned", self.now, self.allocator
        )
        self.result.departed = leaver
        self.try_refused(
            lambda: self.app.record_departure(leaver.id, "resigned", self.now, self.allocator)
        )
        leaver.departed = True
        for cid in [c for c in self.customers if self.holder[c] is leaver]:
            self.move(
                cid, self.pick_rep(self.tier[cid], None, exclude=leaver), TransferReason.DEPARTURE
            )
        self.app.record_departure(leaver.id, "resigned", self.now, self.allocator)
        somebody = self.customers[0]
        self.try_refused(
            lambda: self.app.add_team_member(
                somebody, leaver.id, TeamRole.SERVICE, self.now, self.allocator
            )
        )

    def try_refused(self, command: Callable[[], object]) -> None:
        try:
            command()
        except LedgerError as refusal:
            self.result.refusals.append(refusal)


def build_demo_company(
    app: OwnershipLedger, seed: int = 7, customers: int = 2000, progress: Progress | None = None
) -> DemoResult:
    return DemoCompany(app, seed, customers).run(progress or (lambda _: None))
