"""Outbound customer development at a station, logged step by step (SEED-RULES 129–135, S11).

The station manager phones the area manager before going out and reports the result after;
each activity is entered in the electronic ledger; a success is filed with the company's
management post. Area managers hand in a weekly progress form every Sunday, and each station
agrees monthly targets, so completion and the hero board come out of the events.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidInput, RuleViolation
from ledger.events import Fact, Started

LEVELS = frozenset({"area", "company"})
STEPS = ("planned", "visited", "entered", "succeeded", "filed")


class Development(Aggregate):
    """One outbound development of one target customer by one station."""

    class Planned(Started):
        """The pre-visit call to the area manager (129) opens the record."""

        station: str
        manager_id: str
        area_manager_id: str
        target: str
        level: str

    class Visited(Fact):
        result: str
        reported_to: str  # the post-visit report call, to the area manager

    class LedgerEntered(Fact):
        entry: str

    class Succeeded(Fact):
        card_ref: str
        first_top_up: Decimal

    class Filed(Fact):
        """Uploaded to the company's management post for filing (130)."""

        filing_ref: str

    @event(Planned)
    def __init__(
        self,
        station: str,
        manager_id: str,
        area_manager_id: str,
        target: str,
        level: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.station = station
        self.manager_id = manager_id
        self.area_manager_id = area_manager_id
        self.step = "planned"

    def _expect(self, action: str, step: str) -> None:
        if self.step != step:
            raise RuleViolation(
                "development_step_out_of_order",
                f"Development {self.id} is {self.step}; '{action}' comes after {step} (SEED-RULES "
                "129–130: call the area manager, visit and report, enter it in the electronic "
                "ledger, then record the success and file it).",
                development_id=str(self.id),
                step=self.step,
                expected=step,
                rule="development_logging",
            )

    def visit(self, result: str, reported_to: str, occurred_at: datetime, by: str) -> None:
        self._expect("visit", "planned")
        if reported_to != self.area_manager_id:
            raise RuleViolation(
                "development_report_elsewhere",
                f"The visit's result is reported to the area manager {self.area_manager_id} "
                f"who was called before it, not to {reported_to} (SEED-RULES 129).",
                development_id=str(self.id),
                rule="development_logging",
            )
        self._visit(result, reported_to, occurred_at, by)

    @event(Visited)
    def _visit(self, result: str, reported_to: str, occurred_at: datetime, by: str) -> None:
        self.step = "visited"

    def enter(self, entry: str, occurred_at: datetime, by: str) -> None:
        self._expect("enter in the electronic ledger", "visited")
        self._enter(entry, occurred_at, by)

    @event(LedgerEntered)
    def _enter(self, entry: str, occurred_at: datetime, by: str) -> None:
        self.step = "entered"

    def succeed(self, card_ref: str, first_top_up: Decimal, occurred_at: datetime, by: str) -> None:
        self._expect("record the success", "entered")
        if first_top_up <= 0:
            raise InvalidInput(
                "top_up_not_positive",
                f"A unit card's first top-up is positive, not {first_top_up}.",
                amount=str(first_top_up),
            )
        self._succeed(card_ref, first_top_up, occurred_at, by)

    @event(Succeeded)
    def _succeed(
        self, card_ref: str, first_top_up: Decimal, occurred_at: datetime, by: str
    ) -> None:
        self.step = "succeeded"

    def file(self, filing_ref: str, occurred_at: datetime, by: str) -> None:
        self._expect("file with the management post", "succeeded")
        self._file(filing_ref, occurred_at, by)

    @event(Filed)
    def _file(self, filing_ref: str, occurred_at: datetime, by: str) -> None:
        self.step = "filed"


class WeeklyProgress(Aggregate):
    """An area manager's Sunday progress form (131): one per manager and week."""

    class Submitted(Started):
        area_manager_id: str
        week_ending: str  # ISO date of the Sunday
        summary: str
        developments: int

    @staticmethod
    def create_id(area_manager_id: str, week_ending: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"ledger:weekly:{area_manager_id}:{week_ending}")

    @event(Submitted)
    def __init__(
        self,
        area_manager_id: str,
        week_ending: str,
        summary: str,
        developments: int,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.area_manager_id = area_manager_id


class StationTarget(Aggregate):
    """A station's targets agreed at the start of a month (133); a revision is a new event."""

    class Agreed(Started):
        station: str
        month: str
        cards: int
        top_up: Decimal

    class Revised(Fact):
        station: str
        month: str
        cards: int
        top_up: Decimal
        reason: str

    @staticmethod
    def create_id(station: str, month: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"ledger:target:{station}:{month}")

    @event(Agreed)
    def __init__(
        self, station: str, month: str, cards: int, top_up: Decimal, occurred_at: datetime, by: str
    ) -> None:
        self.station = station
        self.month = month

    def revise(
        self, cards: int, top_up: Decimal, reason: str, occurred_at: datetime, by: str
    ) -> None:
        self._revise(self.station, self.month, cards, top_up, reason, occurred_at, by)

    @event(Revised)
    def _revise(
        self,
        station: str,
        month: str,
        cards: int,
        top_up: Decimal,
        reason: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        pass
