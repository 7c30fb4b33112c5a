"""The records of a customer: team, contacts, callbacks, expenses, contracts, complaints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from ledger.clock import aware
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    TeamRole,
)
from ledger.rules import eligibility
from ledger.service import LedgerService, Receipt, retrying


class RecordsCommands(LedgerService):
    # --- coverage -----------------------------------------------------------------

    @retrying
    def add_team_member(
        self, customer_id: UUID, staff_id: UUID, team_role: TeamRole, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        eligibility.check_active(str(staff_id), self.staff(staff_id).status)
        customer.add_team_member(str(staff_id), team_role, occurred_at=aware(at), by=by)
        return self._save(customer)

    @retrying
    def remove_team_member(
        self, customer_id: UUID, staff_id: UUID, reason: str, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.remove_team_member(str(staff_id), reason, occurred_at=aware(at), by=by)
        return self._save(customer)

    # --- records --------------------------------------------------------------------

    @retrying
    def record_contact(
        self,
        customer_id: UUID,
        staff_id: UUID,
        kind: ContactKind,
        channel: ContactChannel,
        at: datetime,
        by: str,
        met: str = "",
        decision_maker_met: bool = False,
        needs: str = "",
        next_step: str = "",
    ) -> Receipt:
        customer = self.customer(customer_id)
        eligibility.check_active(str(staff_id), self.staff(staff_id).status)
        contact_id = uuid4().hex
        customer.record_contact(
            contact_id, str(staff_id), kind, channel, met, decision_maker_met, needs,
            next_step, occurred_at=aware(at), by=by,
        )  # fmt: skip
        return self._save(customer, ref=contact_id)

    @retrying
    def verify_contact(
        self,
        customer_id: UUID,
        contact_id: str,
        caller_id: UUID,
        outcome: CallbackOutcome,
        at: datetime,
        by: str,
        satisfaction: int | None = None,
        note: str = "",
    ) -> Receipt:
        customer = self.customer(customer_id)
        eligibility.check_active(str(caller_id), self.staff(caller_id).status)
        customer.verify_contact(
            contact_id, str(caller_id), outcome, satisfaction, note, occurred_at=aware(at), by=by
        )
        return self._save(customer, ref=contact_id)

    @retrying
    def claim_expense(
        self, customer_id: UUID, contact_id: str, amount: Decimal, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.claim_expense(contact_id, amount, occurred_at=aware(at), by=by)
        return self._save(customer, ref=contact_id)

    @retrying
    def sign_contract(
        self, customer_id: UUID, contract_ref: str, value: Decimal, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.sign_contract(contract_ref, value, occurred_at=aware(at), by=by)
        return self._save(customer, ref=contract_ref)

    @retrying
    def log_complaint(self, customer_id: UUID, summary: str, at: datetime, by: str) -> Receipt:
        customer = self.customer(customer_id)
        complaint_id = uuid4().hex
        customer.log_complaint(complaint_id, summary, occurred_at=aware(at), by=by)
        return self._save(customer, ref=complaint_id)

    @retrying
    def resolve_complaint(
        self, customer_id: UUID, complaint_id: str, resolution: str, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.resolve_complaint(complaint_id, resolution, occurred_at=aware(at), by=by)
        return self._save(customer, ref=complaint_id)
