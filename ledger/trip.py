"""A trip record and its reimbursement: the travel report is the company's customer file (23–27).

The steps run in one order, each by one role: the traveller records the trip, the sales VP reviews
and signs it, a clerk back-fills it into the customer file and signs it "travel information
qualified"; only then is the expense approved. Callbacks by the phone team verify it at any time
after it is recorded, and a discrepancy stays on the record after the money is paid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.enums import CallbackOutcome
from ledger.errors import InvalidInput, RuleViolation
from ledger.events import Fact, Started


class TripStep(Enum):
    """Where a trip record stands; each step names the one that must come before it."""

    RECORDED = "recorded"
    RETURNED = "returned"  # the VP sent it back; an amendment puts it up for review again
    SIGNED = "signed"
    BACKFILLED = "backfilled"
    QUALIFIED = "qualified"


class Trip(Aggregate):
    """One sales or after-sales trip to one customer."""

    class Recorded(Started):
        customer_id: str
        staff_id: str
        purpose: str
        met: list[str]
        decision_maker_met: bool
        needs: str
        key_information: str
        next_step: str
        late: bool
        entered_at: datetime

    class Amended(Fact):
        """A correction is a new fact; the record as first written stays in the history."""

        changes: dict[str, Any]

    class Reviewed(Fact):
        signed: bool
        note: str

    class Backfilled(Fact):
        """The clerk copied the trip's facts into the customer file (entries carry the trip id)."""

        entries: list[str]

    class Qualified(Fact):
        note: str

    class ExpenseClaimed(Fact):
        amount: Decimal

    class ExpenseApproved(Fact):
        amount: Decimal

    class CallbackRecorded(Fact):
        caller: str
        reached: bool
        outcome: CallbackOutcome
        satisfaction: int | None
        differences: str
        problems: str

    @event(Recorded)
    def __init__(
        self,
        customer_id: str,
        staff_id: str,
        purpose: str,
        met: list[str],
        decision_maker_met: bool,
        needs: str,
        key_information: str,
        next_step: str,
        late: bool,
        entered_at: datetime,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.customer_id = customer_id
        self.staff_id = staff_id
        self.step = TripStep.RECORDED
        self.claimed: Decimal | None = None
        self.approved = False
        self.discrepancies = 0

    # --- the review chain ---------------------------------------------------------

    def _expect(self, action: str, *steps: TripStep) -> None:
        if self.step not in steps:
            raise RuleViolation(
                "trip_step_out_of_order",
                f"Trip {self.id} is {self.step.value}; '{action}' comes after "
                f"{' or '.join(s.value for s in steps)} (SEED-RULES 23–27: record, VP signs, "
                "clerk back-fills, clerk qualifies, then reimbursement).",
                trip_id=str(self.id),
                step=self.step.value,
                expected=[s.value for s in steps],
                rule="trip_records",
            )

    def amend(self, changes: dict[str, Any], occurred_at: datetime, by: str) -> None:
        self._expect("amend", TripStep.RECORDED, TripStep.RETURNED)
        self._amend(changes, occurred_at, by)

    @event(Amended)
    def _amend(self, changes: dict[str, Any], occurred_at: datetime, by: str) -> None:
        self.step = TripStep.RECORDED

    def review(self, signed: bool, note: str, occurred_at: datetime, by: str) -> None:
        self._expect("review", TripStep.RECORDED)
        self._review(signed, note, occurred_at, by)

    @event(Reviewed)
    def _review(self, signed: bool, note: str, occurred_at: datetime, by: str) -> None:
        self.step = TripStep.SIGNED if signed else TripStep.RETURNED

    def backfill(self, entries: list[str], occurred_at: datetime, by: str) -> None:
        self._expect("back-fill", TripStep.SIGNED)
        self._backfill(entries, occurred_at, by)

    @event(Backfilled)
    def _backfill(self, entries: list[str], occurred_at: datetime, by: str) -> None:
        self.step = TripStep.BACKFILLED

    def qualify(self, note: str, occurred_at: datetime, by: str) -> None:
        self._expect("qualify", TripStep.BACKFILLED)
        self._qualify(note, occurred_at, by)

    @event(Qualified)
    def _qualify(self, note: str, occurred_at: datetime, by: str) -> None:
        self.step = TripStep.QUALIFIED

    # --- reimbursement --------------------------------------------------------------

    def claim_expense(self, amount: Decimal, occurred_at: datetime, by: str) -> None:
        if amount <= 0:
            raise InvalidInput(
                "expense_not_positive",
                f"An expense must be positive, not {amount}.",
                amount=str(amount),
            )
        if self.claimed is not None:
            raise RuleViolation(
                "expense_already_claimed",
                f"Trip {self.id} already has an expense of {self.claimed} claimed against it.",
                trip_id=str(self.id),
            )
        self._claim(amount, occurred_at, by)

    @event(ExpenseClaimed)
    def _claim(self, amount: Decimal, occurred_at: datetime, by: str) -> None:
        self.claimed = amount

    def approve_expense(self, occurred_at: datetime, by: str) -> None:
        if self.claimed is None:
            raise RuleViolation(
                "no_expense_claimed",
                f"Trip {self.id} has no expense claim to approve.",
                trip_id=str(self.id),
            )
        if self.approved:
            raise RuleViolation(
                "expense_already_approved",
                f"The expense of trip {self.id} is already approved.",
                trip_id=str(self.id),
            )
        if self.step is not TripStep.QUALIFIED:
            raise RuleViolation(
                "expense_before_qualified",
                f"Trip {self.id} is {self.step.value}: its expense is approved only after the "
                "clerk signs the travel information qualified (SEED-RULES 27).",
                trip_id=str(self.id),
                step=self.step.value,
                rule="trip_records",
            )
        self._approve(self.claimed, occurred_at, by)

    @event(ExpenseApproved)
    def _approve(self, amount: Decimal, occurred_at: datetime, by: str) -> None:
        self.approved = True

    # --- verification -----------------------------------------------------------------

    @event(CallbackRecorded)
    def record_callback(
        self,
        caller: str,
        reached: bool,
        outcome: CallbackOutcome,
        satisfaction: int | None,
        differences: str,
        problems: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        if outcome is CallbackOutcome.DISCREPANCY:
            self.discrepancies += 1
