"""The lead allocator's state: one aggregate, so company-lead decisions form one total order."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.copying import FlatCopy
from ledger.events import Fact


class LeadRoster(FlatCopy, Aggregate):
    """Each decision records its eligible pool, the credits before, and the choice (rule 75)."""

    flat_state = frozenset({"credits", "members"})

    class Opened(Aggregate.Created):
        pass

    class RepEnrolled(Fact):
        staff_id: str

    class LeadAllocated(Fact):
        customer_id: str
        tier: str
        pool: list[dict[str, Any]]
        credits_before: dict[str, int]
        chosen: str
        credits_after: dict[str, int]
        policy_version: int

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "ledger:lead-roster")

    @event(Opened)
    def __init__(self) -> None:
        self.credits: dict[str, int] = {}
        self.members: dict[str, bool] = {}
        self.decisions = 0

    @event(RepEnrolled)
    def enrol(self, staff_id: str, occurred_at: datetime, by: str) -> None:
        self.members[staff_id] = True

    @event(LeadAllocated)
    def record_decision(
        self,
        customer_id: str,
        tier: str,
        pool: list[dict[str, Any]],
        credits_before: dict[str, int],
        chosen: str,
        credits_after: dict[str, int],
        policy_version: int,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.credits = dict(credits_after)
        self.decisions += 1
