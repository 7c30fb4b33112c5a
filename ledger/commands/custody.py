"""Customers are registered, graded, assigned, transferred and released by company rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from ledger.clock import aware
from ledger.commands.placement import PlacementMixin
from ledger.customer import Customer
from ledger.enums import Source, Tier, TransferReason
from ledger.rules import authority, custody, distribution, records
from ledger.rules.modes import Grant
from ledger.service import SYSTEM, Receipt, retrying
from ledger.staff import Staff

ALLOCATION_TEAM_DECISION = "allocation_team_decision"


class CustodyCommands(PlacementMixin):
    def register_customer(
        self,
        name: str,
        source: Source,
        at: datetime,
        by: str = SYSTEM,
        channel: str | None = None,
        area: str | None = None,
        customer_id: UUID | None = None,
    ) -> Receipt:
        customer = Customer._create(
            Customer.Registered, id=customer_id or uuid4(), name=name, source=source,
            channel=channel, area=area, occurred_at=aware(at), by=by,
        )  # fmt: skip
        return self._save(customer)

    @retrying
    def grade_customer(
        self,
        customer_id: UUID,
        tier: Tier,
        reason: str,
        at: datetime,
        by: str,
        inputs: dict[str, Any] | None = None,
    ) -> Receipt:
        """A regrade never forces a move (S6); it updates the holder's book and the A-tier counts."""
        at = aware(at)
        customer = self.customer(customer_id)
        records.check_grading_evidence(inputs or {})
        was_a = customer.tier is Tier.A
        customer.grade(tier, reason, inputs or {}, self.policy_in_force(at).version, at, by)
        holder = self.staff(customer.holder) if customer.holder else None
        changed: list[Any] = [holder]
        if holder is not None:
            holder.retier_customer(str(customer_id), tier, occurred_at=at, by=by)
        if was_a != (tier is Tier.A):
            census = self._census()
            census.count(str(customer_id), tier is Tier.A, occurred_at=at, by=by)
            changed.append(census)
            if holder is not None:
                team = self._team(holder.team)
                (team.gain if tier is Tier.A else team.lose)(str(customer_id), at, by)
                changed.append(team)
        return self._save(customer, *changed)

    @retrying
    def assign_customer(
        self,
        customer_id: UUID,
        staff_id: UUID,
        at: datetime,
        by: str,
        reason: str = "",
        exception: str | None = None,
        override_reason: str | None = None,
    ) -> Receipt:
        """An allocation-team placement; a company lead's first placement only by override."""
        at = aware(at)
        customer = self.customer(customer_id)
        receiver = self.staff(staff_id)
        custody.check_unheld(str(customer_id), customer.holder)
        rule = ALLOCATION_TEAM_DECISION
        if override_reason is None:
            distribution.check_company_lead(str(customer_id), customer.source, customer.ever_held)
        self._require_allocator(by, at, receiver=str(staff_id))
        if override_reason is not None:
            actor = self._actor(by, at)
            authority.check_override_reason(by, actor.role if actor else None, override_reason)
            rule, reason = "manager_override", override_reason
        return self._place(customer, receiver, at, by, rule, reason, exception, override_reason)

    def _place(
        self,
        customer: Customer,
        receiver: Staff,
        at: datetime,
        by: str,
        rule: str,
        reason: str,
        exception: str | None,
        override_reason: str | None = None,
    ) -> Receipt:
        policy = self.policy_in_force(at)
        grant = self._approved_grant(customer, receiver, exception)
        exceptions = self._placement_checks(customer, receiver, policy.params, at, grant)
        customer.assign(
            str(receiver.id), rule, reason, policy.version, override_reason is not None,
            exceptions, occurred_at=at, by=by,
        )  # fmt: skip
        return self._save(customer, *self._rebook(customer, None, receiver, at, by))

    @retrying
    def reassign_customer(
        self,
        customer_id: UUID,
        to_staff_id: UUID,
        reason_code: TransferReason,
        at: datetime,
        by: str,
        note: str = "",
        exception: str | None = None,
    ) -> Receipt:
        """A transfer by the allocation team; A-tier transfers go through a second approval."""
        at = aware(at)
        customer = self.customer(customer_id)
        self._check_transfer(customer, to_staff_id, at, by)
        if customer.tier is Tier.A:
            authority.check_a_tier_approved(str(customer_id))
        return self._transfer(
            customer, to_staff_id, reason_code, at, by, ALLOCATION_TEAM_DECISION, note, exception
        )

    def _check_transfer(self, customer: Customer, to_staff_id: UUID, at: datetime, by: str) -> str:
        giver_id = custody.check_held(str(customer.id), customer.holder)
        custody.check_new_holder(str(customer.id), giver_id, str(to_staff_id))
        self._require_allocator(by, at, receiver=str(to_staff_id), system_ok=False)
        return giver_id

    def _transfer(
        self,
        customer: Customer,
        to_staff_id: UUID | str,
        reason_code: TransferReason,
        at: datetime,
        by: str,
        rule: str,
        note: str,
        exception: str | Grant | None,
        approver: str | None = None,
        request_id: str | None = None,
    ) -> Receipt:
        """`exception`: an approved request's id, or (a transfer's approval) the approving
        manager's own grant, made in the same call."""
        assert customer.holder is not None
        giver, receiver = self.staff(customer.holder), self.staff(to_staff_id)
        policy = self.policy_in_force(at)
        if isinstance(exception, Grant):
            grant = self._validated_grant(exception, at)
        else:
            grant = self._approved_grant(customer, receiver, exception)
        exceptions = self._placement_checks(customer, receiver, policy.params, at, grant)
        customer.reassign(
            str(giver.id), str(receiver.id), reason_code, approver, rule, note, policy.version,
            exceptions, request_id, occurred_at=at, by=by,
        )  # fmt: skip
        return self._save(customer, *self._rebook(customer, giver, receiver, at, by))

    @retrying
    def request_transfer(
        self,
        customer_id: UUID,
        to_staff_id: UUID,
        reason_code: TransferReason,
        at: datetime,
        by: str,
        note: str = "",
    ) -> Receipt:
        """The first step of an A-tier transfer; a second manager decides."""
        at = aware(at)
        customer = self.customer(customer_id)
        self._check_transfer(customer, to_staff_id, at, by)
        self.staff(to_staff_id)
        request_id = uuid4().hex
        customer.request_transfer(request_id, str(to_staff_id), reason_code, note, at, by)
        return self._save(customer, ref=request_id)

    @retrying
    def approve_transfer(
        self,
        customer_id: UUID,
        request_id: str,
        at: datetime,
        by: str,
        exception_reason: str | None = None,
    ) -> Receipt:
        """The approving manager may grant a rule exception in the same act, signed by them."""
        at = aware(at)
        customer, request = self._second_decision(customer_id, request_id, at, by)
        grant = Grant(by=by, reason=exception_reason) if exception_reason is not None else None
        return self._transfer(
            customer, request["to_holder"], request["reason_code"], at, by,
            "a_tier_second_approval", request["note"], grant, by, request_id,
        )  # fmt: skip

    @retrying
    def request_exception(
        self, customer_id: UUID, staff_id: UUID, reason: str, at: datetime, by: str
    ) -> Receipt:
        """Ask a manager to let a move to `staff_id` pass a rule in `exception` mode; the
        receipt's ref is the request, which the move names once a manager approved it."""
        at = aware(at)
        customer = self.customer(customer_id)
        self.staff(staff_id)
        self._require_allocator(by, at, receiver=str(staff_id))
        authority.check_exception_reason(by, reason)
        grant_id = uuid4().hex
        customer.request_exception(grant_id, str(staff_id), reason, occurred_at=at, by=by)
        return self._save(customer, ref=grant_id)

    @retrying
    def approve_exception(self, customer_id: UUID, grant_id: str, at: datetime, by: str) -> Receipt:
        """A manager's own approval: the move that uses it records them as its signer."""
        at = aware(at)
        customer = self.customer(customer_id)
        _, reason, _, approved_by = customer.check_exception(grant_id)
        actor = self._actor(by, at)
        authority.check_exception_grant(by, actor.role if actor else None, reason)
        authority.check_exception_pending(grant_id, approved_by)
        customer.approve_exception(grant_id, occurred_at=at, by=by)
        return self._save(customer, ref=grant_id)

    @retrying
    def reject_transfer(
        self, customer_id: UUID, request_id: str, reason: str, at: datetime, by: str
    ) -> Receipt:
        at = aware(at)
        customer, _ = self._second_decision(customer_id, request_id, at, by)
        customer.reject_transfer(request_id, reason, occurred_at=at, by=by)
        return self._save(customer, ref=request_id)

    def _second_decision(
        self, customer_id: UUID, request_id: str, at: datetime, by: str
    ) -> tuple[Customer, dict[str, Any]]:
        """Approving or rejecting an A-tier transfer is for a manager not party to it."""
        customer = self.customer(customer_id)
        request = customer.check_pending(request_id)
        approver = self._actor(by, at)
        authority.check_second_approver(
            by, approver.role if approver else None, request["requested_by"],
            request["from_holder"], request["to_holder"],
        )  # fmt: skip
        return customer, request

    @retrying
    def release_customer(
        self, customer_id: UUID, reason_code: TransferReason, at: datetime, by: str, note: str = ""
    ) -> Receipt:
        """Back to the company pool, by the allocation team with a reason."""
        at = aware(at)
        customer = self.customer(customer_id)
        giver = self.staff(custody.check_held(str(customer_id), customer.holder))
        self._require_allocator(by, at)
        return self._release(customer, giver, reason_code, ALLOCATION_TEAM_DECISION, note, at, by)

    def _release(
        self,
        customer: Customer,
        giver: Staff,
        reason_code: TransferReason,
        rule: str,
        note: str,
        at: datetime,
        by: str,
    ) -> Receipt:
        version = self.policy_in_force(at).version
        customer.release(str(giver.id), reason_code, rule, note, version, occurred_at=at, by=by)
        return self._save(customer, *self._rebook(customer, giver, None, at, by))
