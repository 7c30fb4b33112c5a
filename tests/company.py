"""A small company to test rules against: named staff of every role, hired at T0."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source, Tier
from tests.clock import T0, day

E = TypeVar("E")


def facts(ledger: OwnershipLedger, aggregate_id: UUID, kind: type[E]) -> list[E]:
    """The aggregate's stored events of one kind, typed."""
    return [e for e in ledger.events.get(aggregate_id) if isinstance(e, kind)]


@dataclass
class Company:
    ledger: OwnershipLedger
    ids: dict[str, UUID] = field(default_factory=dict)

    def hire(
        self,
        name: str,
        role: Role = Role.SALES_REP,
        seniority: Seniority | None = None,
        team: str = "north",
        area: str | None = None,
    ) -> str:
        receipt = self.ledger.join_staff(name, role, seniority, team, area or team, T0)
        self.ids[name] = receipt.id
        return str(receipt.id)

    def __getitem__(self, name: str) -> UUID:
        return self.ids[name]

    def by(self, name: str) -> str:
        return str(self.ids[name])

    def exception(
        self,
        customer: UUID,
        staff: str,
        reason: str,
        manager: str = "boss",
        asked_by: str = "alloc",
    ) -> str:
        """A rule exception asked for one move and approved by a manager in their own call."""
        asked = self.ledger.request_exception(
            customer, self[staff], reason, day(1), self.by(asked_by)
        )
        assert asked.ref is not None
        self.ledger.approve_exception(customer, asked.ref, day(1), self.by(manager))
        return asked.ref

    def customer(
        self, name: str, tier: Tier | None = None, source: Source = Source.REP_PROSPECTED
    ) -> UUID:
        cid = self.ledger.register_customer(name, source, day(0), channel="hotline-1").id
        if tier is not None:
            self.ledger.grade_customer(cid, tier, "graded", day(0), "system", {"revenue": 1})
        self.ids[name] = cid
        return cid


def standard_company(ledger: OwnershipLedger) -> Company:
    """Two managers, an allocator, and reps of each seniority in two areas."""
    company = Company(ledger)
    company.hire("boss", Role.MANAGER)
    company.hire("boss2", Role.MANAGER)
    company.hire("alloc", Role.ALLOCATION_TEAM)
    company.hire("senior", Role.SALES_REP, Seniority.SENIOR, "north")
    company.hire("senior_s", Role.SALES_REP, Seniority.SENIOR, "south")
    company.hire("mid", Role.SALES_REP, Seniority.EXPERIENCED, "north")
    company.hire("newbie", Role.SALES_REP, Seniority.NEW, "south")
    return company
