"""Staff join, change, announce departure and depart."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from ledger.clock import aware
from ledger.commands.placement import PlacementMixin
from ledger.enums import (
    Role,
    Seniority,
)
from ledger.rules import eligibility
from ledger.service import SYSTEM, Receipt, retrying
from ledger.staff import Staff


class StaffCommands(PlacementMixin):
    # --- staff --------------------------------------------------------------------

    @retrying
    def join_staff(
        self,
        name: str,
        role: Role,
        seniority: Seniority | None,
        team: str,
        area: str,
        at: datetime,
        by: str = SYSTEM,
        staff_id: UUID | None = None,
    ) -> Receipt:
        """`staff_id` lets an import or a seeded demo choose ids; a repeat is a conflict."""
        at = aware(at)
        staff = Staff._create(
            Staff.Joined, id=staff_id or uuid4(), name=name, role=role, seniority=seniority,
            team=team, area=area, occurred_at=at, by=by,
        )  # fmt: skip
        if role is not Role.SALES_REP:
            return self._save(staff)
        roster = self._roster()
        roster.enrol(str(staff.id), occurred_at=at, by=by)
        return self._save(staff, roster)

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
