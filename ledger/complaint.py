"""A complaint followed through to the end: nothing is closed until it is re-checked, confirmed
by the customer and fed back to the company (SEED-RULES 98–99, 153–157, Haier's four no-omissions).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidInput, RuleViolation
from ledger.events import Fact, Started

FEEDBACK_TARGETS = frozenset({"design", "production", "operations", "sales", "service"})


class Complaint(Aggregate):
    """One complaint, from the feedback form to the result fed back."""

    class Logged(Started):
        customer_id: str
        summary: str
        form: dict[str, Any]

    class Replied(Fact):
        reply: str
        late: bool

    class Investigated(Fact):
        cause: str
        corrective: str
        preventive: str
        escalated_to: str | None

    class Rechecked(Fact):
        result: str

    class SatisfactionConfirmed(Fact):
        caller: str
        satisfaction: int
        note: str

    class FedBack(Fact):
        to: list[str]
        note: str

    class Closed(Fact):
        resolution: str

    @event(Logged)
    def __init__(
        self,
        customer_id: str,
        summary: str,
        form: dict[str, Any],
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.customer_id = customer_id
        self.logged_at = occurred_at
        self.replied = False
        self.investigated = False
        self.rechecked = False
        self.confirmed = False
        self.fed_back = False
        self.closed = False

    @property
    def state(self) -> str:
        """The furthest step reached, for reports and the dashboard."""
        for done, name in (
            (self.closed, "closed"),
            (self.fed_back, "fed_back"),
            (self.confirmed, "confirmed"),
            (self.rechecked, "rechecked"),
            (self.investigated, "investigating"),
            (self.replied, "replied"),
        ):
            if done:
                return name
        return "logged"

    def _open(self) -> None:
        if self.closed:
            raise RuleViolation(
                "complaint_closed",
                f"Complaint {self.id} is closed; a new problem is a new complaint.",
                complaint_id=str(self.id),
            )

    def reply(self, reply: str, reply_hours: int, occurred_at: datetime, by: str) -> None:
        """A late reply is still recorded, and flagged against the policy's limit (155)."""
        self._open()
        late = occurred_at - self.logged_at > timedelta(hours=reply_hours)
        self._reply(reply, late, occurred_at, by)

    @event(Replied)
    def _reply(self, reply: str, late: bool, occurred_at: datetime, by: str) -> None:
        self.replied = True

    def investigate(
        self,
        cause: str,
        corrective: str,
        preventive: str,
        escalated_to: str | None,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self._open()
        if not (cause.strip() and corrective.strip() and preventive.strip()):
            raise InvalidInput(
                "investigation_incomplete",
                "An investigation names the cause, the corrective action and the preventive "
                "action (SEED-RULES 154).",
                complaint_id=str(self.id),
            )
        self._investigate(cause, corrective, preventive, escalated_to, occurred_at, by)

    @event(Investigated)
    def _investigate(
        self,
        cause: str,
        corrective: str,
        preventive: str,
        escalated_to: str | None,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.investigated = True

    def recheck(self, result: str, occurred_at: datetime, by: str) -> None:
        self._open()
        if not self.investigated:
            raise RuleViolation(
                "complaint_step_out_of_order",
                f"Complaint {self.id}: the result is re-checked after the investigation.",
                complaint_id=str(self.id),
                rule="complaints",
            )
        self._recheck(result, occurred_at, by)

    @event(Rechecked)
    def _recheck(self, result: str, occurred_at: datetime, by: str) -> None:
        self.rechecked = True

    def confirm_satisfaction(
        self, caller: str, satisfaction: int, note: str, occurred_at: datetime, by: str
    ) -> None:
        self._open()
        if not 1 <= satisfaction <= 5:
            raise InvalidInput(
                "satisfaction_out_of_range",
                f"Satisfaction is scored 1 to 5, not {satisfaction}.",
                satisfaction=satisfaction,
            )
        self._confirm(caller, satisfaction, note, occurred_at, by)

    @event(SatisfactionConfirmed)
    def _confirm(
        self, caller: str, satisfaction: int, note: str, occurred_at: datetime, by: str
    ) -> None:
        self.confirmed = (
            satisfaction >= 3
        )  # a callback finding the customer unhappy confirms nothing

    def feed_back(self, to: list[str], note: str, occurred_at: datetime, by: str) -> None:
        self._open()
        unknown = sorted(set(to) - FEEDBACK_TARGETS)
        if not to or unknown:
            raise InvalidInput(
                "feedback_target_unknown",
                f"Results are fed back to {', '.join(sorted(FEEDBACK_TARGETS))}; got {to}.",
                unknown=unknown,
            )
        self._feed_back(sorted(set(to)), note, occurred_at, by)

    @event(FedBack)
    def _feed_back(self, to: list[str], note: str, occurred_at: datetime, by: str) -> None:
        self.fed_back = True

    def close(self, resolution: str, occurred_at: datetime, by: str) -> None:
        """Haier's four no-omissions (157): re-checked, confirmed by the customer, fed back."""
        self._open()
        missing = [
            name
            for done, name in (
                (self.replied, "reply"),
                (self.investigated, "investigation"),
                (self.rechecked, "result re-checked"),
                (self.confirmed, "callback confirming satisfaction"),
                (self.fed_back, "result fed back"),
            )
            if not done
        ]
        if missing:
            raise RuleViolation(
                "complaint_close_incomplete",
                f"Complaint {self.id} cannot close without: {', '.join(missing)} "
                "(SEED-RULES 154, 157).",
                complaint_id=str(self.id),
                missing=missing,
                rule="complaints",
            )
        self._close(resolution, occurred_at, by)

    @event(Closed)
    def _close(self, resolution: str, occurred_at: datetime, by: str) -> None:
        self.closed = True
