"""An in-memory fold of the whole event log: who holds what and who talks to whom.

Built by replaying stored events, never from cached state, so deleting every derived
table and asking again gives the same answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.application import OwnershipLedger
from ledger.customer import Customer
from ledger.staff import Staff


def replay(app: OwnershipLedger, section: int = 2000) -> Iterator[Any]:
    """Every stored domain event in log order."""
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=section)
        if not notifications:
            return
        for notification in notifications:
            yield app.mapper.to_domain_event(notification)
        start = notifications[-1].id + 1


@dataclass
class OwnershipSummary:
    staff: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    events: int = 0

    @classmethod
    def build(cls, app: OwnershipLedger) -> OwnershipSummary:
        summary = cls()
        for domain_event in replay(app):
            summary.apply(domain_event)
        return summary

    def apply(self, e: Any) -> None:
        self.events += 1
        key = str(e.originator_id)
        if isinstance(e, Staff.Joined):
            self.staff[key] = {
                "name": e.name,
                "role": e.role,
                "seniority": e.seniority,
                "status": "active",
            }
        elif isinstance(e, Staff.DepartureAnnounced):
            self.staff[key]["status"] = "leaving"
        elif isinstance(e, Staff.Departed):
            self.staff[key]["status"] = "departed"
        elif isinstance(e, Staff.SeniorityChanged):
            self.staff[key]["seniority"] = e.seniority
        elif isinstance(e, Customer.Registered):
            self.customers[key] = {"name": e.name, "tier": None, "holder": None}
        elif isinstance(e, Customer.Graded):
            self.customers[key]["tier"] = e.tier
        elif isinstance(e, Customer.Assigned):
            self.customers[key]["holder"] = e.holder
        elif isinstance(e, Customer.Reassigned):
            self.customers[key]["holder"] = e.to_holder
        elif isinstance(e, Customer.Released):
            self.customers[key]["holder"] = None
        elif isinstance(e, Customer.ContactRecorded):
            self.contacts[key][e.staff_id] += 1

    def holdings(self) -> dict[str, Counter[str]]:
        """Per staff id: held customers counted by tier ('-' for ungraded)."""
        books: dict[str, Counter[str]] = defaultdict(Counter)
        for customer in self.customers.values():
            if customer["holder"] is not None:
                tier = customer["tier"].value if customer["tier"] else "-"
                books[customer["holder"]][tier] += 1
        return books

    def single_threaded(
        self, top: int = 5, min_contacts: int = 5
    ) -> list[tuple[str, str, float, int]]:
        """Customers whose contacts come most from one person: (customer, person, share, total)."""
        rows = []
        for customer_id, counts in self.contacts.items():
            total = sum(counts.values())
            if total >= min_contacts:
                person, most = counts.most_common(1)[0]
                rows.append((customer_id, person, most / total, total))
        rows.sort(key=lambda r: (-r[2], -r[3], self.customers[r[0]]["name"]))
        return rows[:top]
