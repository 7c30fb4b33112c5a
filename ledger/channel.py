"""Company-owned phone numbers and mailboxes: the customer calls the company, not a person (38–40)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.events import Fact, Started


def normalise(address: str) -> str:
    """`+86 (10) 5555-0100` and `+8610 5555 0100` are one number; mail is case-blind."""
    text = address.strip().lower()
    return text if "@" in text else "".join(ch for ch in text if ch.isdigit() or ch == "+")


class Channel(Aggregate):
    """A company channel, issued to a staff member or to a company line such as the hotline."""

    class Registered(Started):
        address: str
        kind: str
        assigned_to: str

    class Reassigned(Fact):
        assigned_to: str

    class Retired(Fact):
        reason: str

    @staticmethod
    def create_id(address: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"ledger:channel:{normalise(address)}")

    @event(Registered)
    def __init__(
        self, address: str, kind: str, assigned_to: str, occurred_at: datetime, by: str
    ) -> None:
        self.address = normalise(address)
        self.kind = kind
        self.assigned_to = assigned_to
        self.retired = False

    @event(Reassigned)
    def reassign(self, assigned_to: str, occurred_at: datetime, by: str) -> None:
        self.assigned_to = assigned_to

    @event(Retired)
    def retire(self, reason: str, occurred_at: datetime, by: str) -> None:
        self.retired = True
