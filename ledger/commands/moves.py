"""The company's own moves, each by a visible rule: lead allocation, rotation, neglect, departure."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.clock import aware
from ledger.commands.custody import CustodyCommands
from ledger.customer import Customer
from ledger.enums import Source, Tier, TransferReason
from ledger.errors import RuleViolation
from ledger.policy import PolicyParams
from ledger.rules import custody, departure, distribution, eligibility, rotation
from ledger.rules import neglect as neglect_rule
from ledger.service import SYSTEM, Receipt, retrying
from ledger.staff import Staff


class MovesCommands(CustodyCommands):
    @retrying
    def allocate_lead(self, customer_id: UUID, at: datetime, by: str = SYSTEM) -> Receipt:
        """Place an unheld customer by the allocator; the decision records all its inputs."""
        at = aware(at)
        customer = self.customer(customer_id)
        self._require_allocator(by, at, system_ok=True)
        custody.check_unheld(str(customer_id), customer.holder)
        return self._allocate(customer, at, by)

    @retrying
    def register_lead(
        self, name: str, channel: str, at: datetime, by: str = SYSTEM, area: str | None = None
    ) -> Receipt:
        """An inbound call on a company line: registered and placed by the allocator, atomically."""
        at = aware(at)
        self._require_allocator(by, at, system_ok=True)
        customer = Customer(name, Source.COMPANY_INBOUND, channel, area, occurred_at=at, by=by)
        return self._allocate(customer, at, by)

    def _allocate(self, customer: Customer, at: datetime, by: str) -> Receipt:
        customer_id = customer.id
        policy = self.policy_in_force(at)
        pool = self._lead_pool(customer, policy.params, at)
        roster = self._roster()
        decision = distribution.choose(pool, roster.credits)
        roster.record_decision(
            str(customer_id), (customer.tier or Tier.C).value,
            [{"staff_id": c.staff_id, "weight": c.weight, "load": c.load} for c in pool],
            dict(roster.credits), decision.chosen, decision.credits_after, policy.version,
            occurred_at=at, by=by,
        )  # fmt: skip
        receiver = self.staff(decision.chosen)
        customer.assign(
            decision.chosen, "lead_allocator", "company-channel lead", policy.version, False, [],
            occurred_at=at, by=by,
        )  # fmt: skip
        return self._save(customer, roster, *self._rebook(customer, None, receiver, at, by))

    def _lead_pool(
        self, customer: Customer, params: PolicyParams, at: datetime
    ) -> list[distribution.Candidate]:
        """Reps who pass every rule strictly (no exceptions for the allocator), weight > 0."""
        pool = []
        for rep in self._eligible_reps(at):
            weight = params.lead_weights.get(rep.seniority.value if rep.seniority else "", 0)
            if weight > 0 and self._passes(customer, rep, params, at):
                pool.append(distribution.Candidate(str(rep.id), weight, len(rep.book)))
        return pool

    def _passes(self, customer: Customer, rep: Staff, params: PolicyParams, at: datetime) -> bool:
        try:
            self._placement_checks(customer, rep, params, at, grant=None)
        except RuleViolation:
            return False
        return True

    @retrying
    def rotate_customer(
        self,
        customer_id: UUID,
        at: datetime,
        by: str = SYSTEM,
        to_staff_id: UUID | None = None,
        exception: str | None = None,
    ) -> Receipt:
        """A due holding moves to an eligible rep in another area (garrison rotation, 36–37)."""
        at = aware(at)
        customer = self.customer(customer_id)
        giver = self.staff(custody.check_held(str(customer_id), customer.holder))
        self._require_allocator(by, at, system_ok=True)
        params = self.policy_in_force(at).params
        assert customer.held_since is not None
        rotation.check_rotation_due(str(customer_id), customer.held_since, at, params.rotation_days)
        receiver = self._rotation_receiver(customer, giver, params, at, to_staff_id)
        rotation.check_other_area(str(customer_id), giver.area, receiver.area)
        return self._transfer(
            customer, receiver.id, TransferReason.ROTATION, at, by, "rotation", "", exception
        )

    def _rotation_receiver(
        self,
        customer: Customer,
        giver: Staff,
        params: PolicyParams,
        at: datetime,
        to_staff_id: UUID | None,
    ) -> Staff:
        if to_staff_id is not None:
            return self.staff(to_staff_id)
        elsewhere = [
            rep
            for rep in self._eligible_reps(at)
            if rep.area != giver.area and self._passes(customer, rep, params, at)
        ]
        if not elsewhere:
            raise RuleViolation(
                "no_eligible_rep",
                f"No rep in another area can take customer {customer.id} under the rules.",
                customer_id=str(customer.id),
                rule="rotation",
            )
        return min(elsewhere, key=lambda rep: (len(rep.book), str(rep.id)))

    def sweep_neglected(
        self, customer_ids: list[UUID], at: datetime, by: str = SYSTEM
    ) -> list[Receipt]:
        """Release every candidate its holder has not contacted for the tier's neglect period."""
        at = aware(at)
        self._require_allocator(by, at, system_ok=True)
        return [r for cid in customer_ids if (r := self._release_if_neglected(cid, at, by))]

    @retrying
    def _release_if_neglected(self, customer_id: UUID, at: datetime, by: str) -> Receipt | None:
        customer = self.customer(customer_id)
        if customer.holder is None or customer.held_since is None:
            return None
        days = self.policy_in_force(at).params.neglect_days
        if not neglect_rule.is_neglected(
            customer.tier, customer.last_holder_contact_at, customer.held_since, at, days
        ):
            return None
        giver = self.staff(customer.holder)
        return self._release(customer, giver, TransferReason.NEGLECT, "neglect", "", at, by)

    @retrying
    def record_departure(
        self,
        staff_id: UUID,
        reason: str,
        at: datetime,
        by: str,
        plan: dict[UUID, UUID | None] | None = None,
    ) -> Receipt:
        """The person departs and every holding moves as planned, in one atomic save."""
        leaver, changed = self._departure(staff_id, reason, aware(at), by, plan)
        return self._save(leaver, *changed)

    def _departure(
        self,
        staff_id: UUID,
        reason: str,
        at: datetime,
        by: str,
        plan: dict[UUID, UUID | None] | None,
    ) -> tuple[Staff, list[Aggregate]]:
        """Depart and carry out the plan; the caller saves (a termination saves its violation too)."""
        leaver = self.staff(staff_id)
        eligibility.check_active(str(staff_id), leaver.status)
        self._require_allocator(by, at, system_ok=True)
        steps = {str(c): (str(s) if s else None) for c, s in (plan or {}).items()}
        departure.check_plan_covers(str(staff_id), set(leaver.book), steps)
        departure.check_served(str(staff_id), sorted(leaver.serving), plan is not None)
        changed: list[Aggregate] = []
        for customer_id, successor in sorted(steps.items()):
            departure.check_plan_successor(str(staff_id), successor)
            changed += self._plan_step(self.customer(customer_id), leaver, successor, at, by)
        for customer_id in sorted(leaver.serving):  # the plan also ends every team place
            served = self.customer(customer_id)
            served.remove_team_member(str(staff_id), "departure", occurred_at=at, by=by)
            leaver.end_serving(customer_id, occurred_at=at, by=by)
            changed.append(served)
        leaver.depart(reason, occurred_at=at, by=by)
        return leaver, unique(changed)

    def _plan_step(
        self, customer: Customer, leaver: Staff, successor: str | None, at: datetime, by: str
    ) -> list[Aggregate]:
        policy = self.policy_in_force(at)
        if successor is None:
            customer.release(
                str(leaver.id), TransferReason.DEPARTURE, "departure_plan", "", policy.version,
                occurred_at=at, by=by,
            )  # fmt: skip
            return [customer, *self._rebook(customer, leaver, None, at, by)]
        receiver = self.staff(successor)
        exceptions = self._placement_checks(customer, receiver, policy.params, at, None)
        customer.reassign(
            str(leaver.id), successor, TransferReason.DEPARTURE, None, "departure_plan", "",
            policy.version, exceptions, None, occurred_at=at, by=by,
        )  # fmt: skip
        return [customer, *self._rebook(customer, leaver, receiver, at, by)]


def unique(aggregates: list[Aggregate]) -> list[Aggregate]:
    """The same team or receiver may change for several customers: save each object once."""
    seen: dict[int, Aggregate] = {}
    for aggregate in aggregates:
        seen.setdefault(id(aggregate), aggregate)
    return list(seen.values())
