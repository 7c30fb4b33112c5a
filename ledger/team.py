"""Teams and the company's A-tier census: the facts behind the per-team share cap (rule 71)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.copying import FlatCopy
from ledger.events import Fact


class Team(FlatCopy, Aggregate):
    """The A-tier customers a team's members hold, saved with every A-tier move into or out of it."""

    flat_state = frozenset({"a_tier"})

    class Formed(Aggregate.Created):
        name: str

    class ATierGained(Fact):
        customer_id: str

    class ATierLost(Fact):
        customer_id: str

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"ledger:team:{name}")

    @event(Formed)
    def __init__(self, name: str) -> None:
        self.name = name
        self.a_tier: dict[str, bool] = {}

    @event(ATierGained)
    def gain(self, customer_id: str, occurred_at: datetime, by: str) -> None:
        self.a_tier[customer_id] = True

    @event(ATierLost)
    def lose(self, customer_id: str, occurred_at: datetime, by: str) -> None:
        self.a_tier.pop(customer_id, None)


class Census(FlatCopy, Aggregate):
    """How many customers the company has graded A: the base of every team's share."""

    flat_state = frozenset({"a_tier"})

    class Opened(Aggregate.Created):
        pass

    class ACounted(Fact):
        customer_id: str
        is_a: bool

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "ledger:census")

    @event(Opened)
    def __init__(self) -> None:
        self.a_tier: dict[str, bool] = {}

    @event(ACounted)
    def count(self, customer_id: str, is_a: bool, occurred_at: datetime, by: str) -> None:
        if is_a:
            self.a_tier[customer_id] = True
        else:
            self.a_tier.pop(customer_id, None)
