"""Customers are registered, graded, assigned, moved and released by company rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.clock import aware
from ledger.customer import Customer
from ledger.enums import (
    Source,
    Tier,
    TransferReason,
)
from ledger.rules import custody, eligibility
from ledger.service import SYSTEM, LedgerService, Receipt, retrying


class CustodyCommands(LedgerService):
    # --- customers: registration, grading, custody ------------------------------

    def register_customer(
        self,
        name: str,
        source: Source,
        at: datetime,
        by: str = SYSTEM,
        channel: str | None = None,
        area: str | None = None,
    ) -> Receipt:
        customer = Customer(name, source, channel, area, occurred_at=aware(at), by=by)
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
        at = aware(at)
        customer = self.customer(customer_id)
        version = self.policy_in_force(at).version
        customer.grade(tier, reason, inputs or {}, version, occurred_at=at, by=by)
        holder = self.staff(customer.holder) if customer.holder else None
        if holder is not None:
            holder.retier_customer(str(customer_id), tier, occurred_at=at, by=by)
        return self._save(customer, holder)

    @retrying
    def assign_customer(
        self,
        customer_id: UUID,
        staff_id: UUID,
        at: datetime,
        by: str,
        rule: str = "allocation_team_decision",
        reason: str = "",
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        staff = self.staff(staff_id)
        custody.check_unheld(str(customer_id), customer.holder)
        eligibility.check_can_hold(str(staff_id), staff.role, staff.status)
        version = self.policy_in_force(at).version
        customer.assign(str(staff_id), rule, reason, version, occurred_at=at, by=by)
        staff.book_customer(str(customer_id), customer.tier, occurred_at=at, by=by)
        return self._save(customer, staff)

    @retrying
    def reassign_customer(
        self,
        customer_id: UUID,
        to_staff_id: UUID,
        reason_code: TransferReason,
        at: datetime,
        by: str,
        approver: str | None = None,
        note: str = "",
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        giver_id = custody.check_held(str(customer_id), customer.holder)
        custody.check_new_holder(str(customer_id), giver_id, str(to_staff_id))
        receiver = self.staff(to_staff_id)
        eligibility.check_can_hold(str(to_staff_id), receiver.role, receiver.status)
        giver = self.staff(giver_id)
        version = self.policy_in_force(at).version
        customer.reassign(
            giver_id, str(to_staff_id), reason_code, approver, "allocation_team_decision",
            note, version, occurred_at=at, by=by,
        )  # fmt: skip
        giver.unbook_customer(str(customer_id), occurred_at=at, by=by)
        receiver.book_customer(str(customer_id), customer.tier, occurred_at=at, by=by)
        return self._save(customer, giver, receiver)

    @retrying
    def release_customer(
        self, customer_id: UUID, reason_code: TransferReason, at: datetime, by: str, note: str = ""
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        giver = self.staff(custody.check_held(str(customer_id), customer.holder))
        version = self.policy_in_force(at).version
        customer.release(str(giver.id), reason_code, note, version, occurred_at=at, by=by)
        giver.unbook_customer(str(customer_id), occurred_at=at, by=by)
        return self._save(customer, giver)
