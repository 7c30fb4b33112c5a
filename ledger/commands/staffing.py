"""Staff join, change, announce departure and depart."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ledger.clock import aware
from ledger.enums import (
    Role,
    Seniority,
)
from ledger.errors import RuleViolation
from ledger.rules import eligibility
from ledger.service import SYSTEM, LedgerService, Receipt, retrying
from ledger.staff import Staff


class StaffCommands(LedgerService):
    # --- staff --------------------------------------------------------------------

    def join_staff(
        self,
        name: str,
        role: Role,
        seniority: Seniority | None,
        team: str,
        area: str,
        at: datetime,
        by: str = SYSTEM,
    ) -> Receipt:
        staff = Staff(name, role, seniority, team, area, occurred_at=aware(at), by=by)
        return self._save(staff)

    @retrying
    def change_seniority(
        self, staff_id: UUID, seniority: Seniority, reason: str, at: datetime, by: str
    ) -> Receipt:
        staff = self.staff(staff_id)
        staff.change_seniority(seniority, reason, occurred_at=aware(at), by=by)
        return self._save(staff)

    @retrying
    def change_area(self, staff_id: UUID, area: str, reason: str, at: datetime, by: str) -> Receipt:
        staff = self.staff(staff_id)
        staff.change_area(area, reason, occurred_at=aware(at), by=by)
        return self._save(staff)

    @retrying
    def announce_departure(
        self, staff_id: UUID, effective_at: datetime, reason: str, at: datetime, by: str
    ) -> Receipt:
        staff = self.staff(staff_id)
        eligibility.check_active(str(staff_id), staff.status)
        staff.announce_departure(
            aware(effective_at, "effective_at"), reason, occurred_at=aware(at), by=by
        )
        return self._save(staff)

    @retrying
    def record_departure(self, staff_id: UUID, reason: str, at: datetime, by: str) -> Receipt:
        staff = self.staff(staff_id)
        eligibility.check_active(str(staff_id), staff.status)
        if staff.book:
            raise RuleViolation(
                "departure_leaves_customers",
                f"Staff {staff_id} still holds {len(staff.book)} customers; "
                "reassign or release each before the departure takes effect.",
                staff_id=str(staff_id),
                held=len(staff.book),
            )
        staff.depart(reason, occurred_at=aware(at), by=by)
        return self._save(staff)
