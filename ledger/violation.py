"""A recorded private use of customer data, and what followed from its severity (47–49)."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event

from ledger.enums import Severity
from ledger.events import Fact, Started


class Violation(Aggregate):
    """A manager's finding that a member of staff used customer data privately (SEED-RULES 47–49).

    Minor: a written warning and a stop order. Serious: an internal investigation, closed with a
    finding (and possibly a warning). Malicious: termination, saved with the person's departure.
    """

    class Recorded(Started):
        staff_id: str
        severity: Severity
        description: str
        export_id: str | None

    class WarningIssued(Fact):
        note: str

    class StopOrdered(Fact):
        note: str

    class InvestigationOpened(Fact):
        note: str

    class InvestigationClosed(Fact):
        finding: str

    class EmploymentTerminated(Fact):
        plan: dict[str, str | None]

    @event(Recorded)
    def __init__(
        self,
        staff_id: str,
        severity: Severity,
        description: str,
        export_id: str | None,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.staff_id = staff_id
        self.severity = severity
        self.investigation: str | None = None  # None, "open" or "closed"
        self.terminated = False

    @event(WarningIssued)
    def warn(self, note: str, occurred_at: datetime, by: str) -> None:
        pass

    @event(StopOrdered)
    def order_stop(self, note: str, occurred_at: datetime, by: str) -> None:
        pass

    @event(InvestigationOpened)
    def open_investigation(self, note: str, occurred_at: datetime, by: str) -> None:
        self.investigation = "open"

    @event(InvestigationClosed)
    def close_investigation(self, finding: str, occurred_at: datetime, by: str) -> None:
        self.investigation = "closed"

    @event(EmploymentTerminated)
    def terminate(self, plan: dict[str, str | None], occurred_at: datetime, by: str) -> None:
        self.terminated = True
