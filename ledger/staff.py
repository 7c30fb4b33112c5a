"""A member of staff and the book of customers they hold for the company."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event

from ledger.copying import FlatCopy
from ledger.enums import Role, Seniority, StaffStatus, Tier
from ledger.events import Fact, Started


class Staff(FlatCopy, Aggregate):
    """A person who may hold customers for the company, never as their own (seed F3)."""

    flat_state = frozenset({"book", "serving"})

    class Joined(Started):
        name: str
        role: Role
        seniority: Seniority | None
        team: str
        area: str

    class SeniorityChanged(Fact):
        seniority: Seniority
        reason: str

    class AreaChanged(Fact):
        area: str
        reason: str

    class DepartureAnnounced(Fact):
        effective_at: datetime
        reason: str

    class Departed(Fact):
        reason: str

    class CustomerBooked(Fact):
        customer_id: str
        tier: Tier | None

    class CustomerUnbooked(Fact):
        customer_id: str

    class ServingStarted(Fact):
        """Joined a customer's team (service, technical, ...): saved with the customer's event."""

        customer_id: str
        team_role: str

    class ServingEnded(Fact):
        customer_id: str

    class BookedTierChanged(Fact):
        customer_id: str
        tier: Tier | None

    @event(Joined)
    def __init__(
        self,
        name: str,
        role: Role,
        seniority: Seniority | None,
        team: str,
        area: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.name = name
        self.role = role
        self.seniority = seniority
        self.team = team
        self.area = area
        self.joined_at = occurred_at
        self.status = StaffStatus.ACTIVE
        self.departure_effective: datetime | None = None
        self.book: dict[str, Tier | None] = {}
        self.serving: dict[str, str] = {}  # customer id -> team role

    @property
    def is_departed(self) -> bool:
        return self.status is StaffStatus.DEPARTED

    def status_at(self, at: datetime) -> StaffStatus:
        """Past the announced effective date a leaving person counts as departed."""
        effective = self.departure_effective
        if self.status is StaffStatus.LEAVING and effective is not None and at >= effective:
            return StaffStatus.DEPARTED
        return self.status

    def count_tier(self, tier: Tier) -> int:
        return sum(1 for held in self.book.values() if held is tier)

    @event(SeniorityChanged)
    def change_seniority(
        self, seniority: Seniority, reason: str, occurred_at: datetime, by: str
    ) -> None:
        self.seniority = seniority

    @event(AreaChanged)
    def change_area(self, area: str, reason: str, occurred_at: datetime, by: str) -> None:
        self.area = area

    @event(DepartureAnnounced)
    def announce_departure(
        self, effective_at: datetime, reason: str, occurred_at: datetime, by: str
    ) -> None:
        self.status = StaffStatus.LEAVING
        self.departure_effective = effective_at

    @event(Departed)
    def depart(self, reason: str, occurred_at: datetime, by: str) -> None:
        self.status = StaffStatus.DEPARTED

    @event(CustomerBooked)
    def book_customer(
        self, customer_id: str, tier: Tier | None, occurred_at: datetime, by: str
    ) -> None:
        self.book[customer_id] = tier

    @event(CustomerUnbooked)
    def unbook_customer(self, customer_id: str, occurred_at: datetime, by: str) -> None:
        self.book.pop(customer_id, None)

    @event(BookedTierChanged)
    def retier_customer(
        self, customer_id: str, tier: Tier | None, occurred_at: datetime, by: str
    ) -> None:
        self.book[customer_id] = tier

    @event(ServingStarted)
    def start_serving(
        self, customer_id: str, team_role: str, occurred_at: datetime, by: str
    ) -> None:
        self.serving[customer_id] = team_role

    @event(ServingEnded)
    def end_serving(self, customer_id: str, occurred_at: datetime, by: str) -> None:
        self.serving.pop(customer_id, None)
