"""Use cases of the record workflows: trips with their reimbursement, callbacks, complaints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.clock import aware, utcnow
from ledger.commands.fileaccess import check_works_on
from ledger.commands.placement import PlacementMixin
from ledger.complaint import Complaint
from ledger.enums import CallbackOutcome, Role
from ledger.errors import RuleViolation
from ledger.rules import eligibility, records
from ledger.service import Receipt, retrying
from ledger.trip import Trip

R = Role
REPS = frozenset({Role.SALES_REP})
TRAVELLERS = frozenset({R.SALES_REP, R.SERVICE, R.TECHNICAL, R.MANAGER})
EXPENSE_APPROVERS = frozenset({R.MANAGER, R.ADMIN})
COMPLAINT_HANDLERS = frozenset({R.SERVICE, R.TECHNICAL, R.MANAGER, R.SALES_VP})


class WorkflowCommands(PlacementMixin):
    """Each step by the one role the seeds name, in the seeds' order; refusals store nothing."""

    def trip(self, trip_id: UUID | str) -> Trip:
        return self._load(Trip, trip_id, "unknown_trip")

    def complaint(self, complaint_id: UUID | str) -> Complaint:
        return self._load(Complaint, complaint_id, "unknown_complaint")

    # --- trips (23–27) ------------------------------------------------------------------

    @retrying
    def record_trip(
        self,
        customer_id: UUID,
        staff_id: UUID,
        at: datetime,
        by: str,
        purpose: str = "sales",
        met: list[str] | None = None,
        decision_maker_met: bool = False,
        needs: str = "",
        key_information: str = "",
        next_step: str = "",
        recorded_at: datetime | None = None,
    ) -> Receipt:
        """The traveller's report; more than N days after the trip it is accepted and flagged late."""
        at = aware(at)
        customer = self.customer(customer_id)
        check_works_on(self, customer, by, at, named=str(staff_id), what="trip")
        traveller = self.staff(staff_id)
        eligibility.check_active(str(staff_id), traveller.status_at(at))
        records.check_role(str(staff_id), traveller.role, TRAVELLERS, "record a trip")
        records.check_purpose(purpose)
        late_days = self.policy_in_force(at).params.late_entry_days
        entered = aware(recorded_at or utcnow(), "recorded_at")
        late = records.is_late(at, entered, late_days)
        trip = Trip(
            str(customer.id), str(staff_id), purpose, list(met or []), decision_maker_met,
            needs, key_information, next_step, late, entered, occurred_at=at, by=by,
        )  # fmt: skip
        return self._save(trip, ref=str(trip.id))

    @retrying
    def amend_trip(self, trip_id: UUID, changes: dict[str, Any], at: datetime, by: str) -> Receipt:
        """A correction is a new event; the record as first written stays."""
        trip = self.trip(trip_id)
        records.check_trip_changes(changes)
        if by != trip.staff_id:
            self._require_role(by, aware(at), frozenset({R.MANAGER}), "amend another person's trip")
        trip.amend(changes, occurred_at=aware(at), by=by)
        return self._save(trip)

    @retrying
    def review_trip(self, trip_id: UUID, signed: bool, note: str, at: datetime, by: str) -> Receipt:
        """The sales VP reviews and signs the trip record (23)."""
        self._require_role(by, aware(at), frozenset({R.SALES_VP}), "review and sign a trip record")
        trip = self.trip(trip_id)
        trip.review(signed, note, occurred_at=aware(at), by=by)
        return self._save(trip)

    @retrying
    def backfill_trip(self, trip_id: UUID, entries: list[str], at: datetime, by: str) -> Receipt:
        """A clerk copies the trip into the customer file; the file shows which trip it came from."""
        self._require_role(
            by, aware(at), frozenset({R.CLERK}), "back-fill a trip into the customer file"
        )
        trip = self.trip(trip_id)
        customer = self.customer(trip.customer_id)
        trip.backfill(entries, occurred_at=aware(at), by=by)
        customer.file_trip_entries(str(trip.id), entries, occurred_at=aware(at), by=by)
        return self._save(trip, customer)

    @retrying
    def qualify_trip(self, trip_id: UUID, note: str, at: datetime, by: str) -> Receipt:
        """The clerk signs "travel information qualified" (25)."""
        self._require_role(by, aware(at), frozenset({R.CLERK}), "sign travel information qualified")
        trip = self.trip(trip_id)
        trip.qualify(note, occurred_at=aware(at), by=by)
        return self._save(trip)

    @retrying
    def claim_trip_expense(self, trip_id: UUID, amount: Decimal, at: datetime, by: str) -> Receipt:
        trip = self.trip(trip_id)
        if by != trip.staff_id:
            raise RuleViolation(
                "expense_not_travellers",
                f"Only the traveller {trip.staff_id} claims the expense of trip {trip.id}.",
                trip_id=str(trip.id),
                rule="trip_records",
            )
        trip.claim_expense(amount, occurred_at=aware(at), by=by)
        return self._save(trip)

    @retrying
    def approve_trip_expense(self, trip_id: UUID, at: datetime, by: str) -> Receipt:
        """Reimbursement only for a trip the clerk has signed qualified (27)."""
        self._require_role(by, aware(at), EXPENSE_APPROVERS, "approve a trip expense")
        trip = self.trip(trip_id)
        trip.approve_expense(occurred_at=aware(at), by=by)
        return self._save(trip)

    @retrying
    def verify_trip(
        self,
        trip_id: UUID,
        caller_id: UUID,
        outcome: CallbackOutcome,
        at: datetime,
        by: str,
        satisfaction: int | None = None,
        differences: str = "",
        problems: str = "",
    ) -> Receipt:
        """The phone team calls the customer back about the trip; never the traveller or holder."""
        at = aware(at)
        trip = self.trip(trip_id)
        customer = self.customer(trip.customer_id)
        caller = self.staff(caller_id)
        eligibility.check_active(str(caller_id), caller.status_at(at))
        records.check_callback(
            str(caller_id), caller.role, {trip.staff_id, customer.holder}, outcome, satisfaction,
            differences,
        )  # fmt: skip
        trip.record_callback(
            str(caller_id), outcome is not CallbackOutcome.UNREACHABLE, outcome, satisfaction,
            differences, problems, occurred_at=at, by=by,
        )  # fmt: skip
        return self._save(trip)

    # --- complaints (98–99, 153–157) -------------------------------------------------------

    @retrying
    def log_complaint(
        self,
        customer_id: UUID,
        summary: str,
        at: datetime,
        by: str,
        form: dict[str, Any] | None = None,
    ) -> Receipt:
        """The feedback form starts the clock of the reply limit; anyone may take a complaint."""
        customer = self.customer(customer_id)
        # The customer's complaint may reach anyone; a rep logs one only on their own files,
        # or a rival could open complaints against another rep's customer.
        check_works_on(self, customer, by, aware(at), what="complaint", roles=REPS)
        complaint = Complaint(str(customer.id), summary, form or {}, occurred_at=aware(at), by=by)
        customer.log_complaint(complaint.id.hex, summary, occurred_at=aware(at), by=by)
        return self._save(customer, complaint, ref=complaint.id.hex)  # the file's row first

    @retrying
    def reply_complaint(self, complaint_id: str, reply: str, at: datetime, by: str) -> Receipt:
        at = aware(at)
        self._require_role(by, at, COMPLAINT_HANDLERS, "reply to a complaint")
        complaint = self.complaint(complaint_id)
        hours = self.policy_in_force(at).params.complaint_reply_hours
        complaint.reply(reply, hours, occurred_at=at, by=by)
        return self._save(complaint, ref=complaint.id.hex)

    @retrying
    def investigate_complaint(
        self,
        complaint_id: str,
        cause: str,
        corrective: str,
        preventive: str,
        at: datetime,
        by: str,
        escalated_to: str | None = None,
    ) -> Receipt:
        self._require_role(by, aware(at), COMPLAINT_HANDLERS, "investigate a complaint")
        complaint = self.complaint(complaint_id)
        complaint.investigate(cause, corrective, preventive, escalated_to, aware(at), by)
        return self._save(complaint, ref=complaint.id.hex)

    @retrying
    def recheck_complaint(self, complaint_id: str, result: str, at: datetime, by: str) -> Receipt:
        self._require_role(by, aware(at), COMPLAINT_HANDLERS, "re-check a complaint's result")
        complaint = self.complaint(complaint_id)
        complaint.recheck(result, occurred_at=aware(at), by=by)
        return self._save(complaint, ref=complaint.id.hex)

    @retrying
    def confirm_complaint(
        self, complaint_id: str, satisfaction: int, note: str, at: datetime, by: str
    ) -> Receipt:
        """The callback team asks the customer whether the result satisfies them."""
        self._require_role(by, aware(at), frozenset({R.CALLBACK}), "confirm a complaint's result")
        complaint = self.complaint(complaint_id)
        complaint.confirm_satisfaction(by, satisfaction, note, occurred_at=aware(at), by=by)
        return self._save(complaint, ref=complaint.id.hex)

    @retrying
    def feed_back_complaint(
        self, complaint_id: str, to: list[str], note: str, at: datetime, by: str
    ) -> Receipt:
        self._require_role(by, aware(at), COMPLAINT_HANDLERS, "feed a complaint's result back")
        complaint = self.complaint(complaint_id)
        complaint.feed_back(to, note, occurred_at=aware(at), by=by)
        return self._save(complaint, ref=complaint.id.hex)

    @retrying
    def close_complaint(self, complaint_id: str, resolution: str, at: datetime, by: str) -> Receipt:
        """Refused until re-checked, confirmed by the customer and fed back (157)."""
        self._require_role(by, aware(at), COMPLAINT_HANDLERS, "close a complaint")
        complaint = self.complaint(complaint_id)
        customer = self.customer(complaint.customer_id)
        complaint.close(resolution, occurred_at=aware(at), by=by)
        customer.resolve_complaint(complaint.id.hex, resolution, occurred_at=aware(at), by=by)
        return self._save(complaint, customer, ref=complaint.id.hex)
