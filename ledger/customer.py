"""A customer resource of the company: its grade, its one holder, its team and its records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.copying import FlatCopy
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    KeyRole,
    Source,
    TeamRole,
    Tier,
    TransferReason,
)
from ledger.errors import InvalidInput, NotFound, RuleViolation
from ledger.events import Fact, Started


class Customer(FlatCopy, Aggregate):
    """A customer belongs to the company; a holder only looks after it (seed F3, 客户资源)."""

    # Version 2 keeps a contact as its staff id and the claimed ones apart (a flat dict copies
    # fast); version 1 snapshots kept [staff, verified, claimed] lists. Version 3 adds the
    # rule exceptions requested for the customer and not yet used.
    class_version = 3
    flat_state = frozenset(
        {
            "team",
            "contacts",
            "claimed",
            "contract_refs",
            "open_complaints",
            "key_people",
            "exception_grants",
        }
    )

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        contacts: dict[str, list[Any]] = state["contacts"]
        state["contacts"] = {cid: entry[0] for cid, entry in contacts.items()}
        state["claimed"] = {cid: True for cid, entry in contacts.items() if entry[2]}

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["exception_grants"] = {}

    class Registered(Started):
        name: str
        source: Source
        channel: str | None
        area: str | None
        source_ref: str | None = None  # the CRM's own id, for a customer adopted from one

    class Graded(Fact):
        tier: Tier
        reason: str
        inputs: dict[str, Any]
        policy_version: int

    class Assigned(Fact):
        holder: str
        rule: str
        reason: str
        policy_version: int
        override: bool
        exceptions: list[dict[str, Any]]

    class Reassigned(Fact):
        from_holder: str
        to_holder: str
        reason_code: TransferReason
        approver: str | None
        rule: str
        note: str
        policy_version: int
        exceptions: list[dict[str, Any]]
        request_id: str | None

    class Released(Fact):
        from_holder: str
        reason_code: TransferReason
        rule: str
        note: str
        policy_version: int

    class TransferRequested(Fact):
        request_id: str
        from_holder: str
        to_holder: str
        reason_code: TransferReason
        note: str

    class TransferRejected(Fact):
        request_id: str
        reason: str

    class ExceptionRequested(Fact):
        """A rule exception asked for a move to `staff_id`; it counts once a manager approves."""

        grant_id: str
        staff_id: str
        reason: str

    class ExceptionApproved(Fact):
        """A manager's own approval of a requested exception: `by` is who signed it."""

        grant_id: str

    class TeamMemberAdded(Fact):
        staff_id: str
        team_role: TeamRole

    class TeamMemberRemoved(Fact):
        staff_id: str
        reason: str

    class ContactRecorded(Fact):
        contact_id: str
        staff_id: str
        kind: ContactKind
        channel: ContactChannel
        met: str
        decision_maker_met: bool
        needs: str
        next_step: str
        channel_address: str | None = None
        company_channel: bool | None = None
        asked_for: str | None = None
        late: bool = False
        handoff_drift: bool = False
        entered_at: datetime | None = None  # when the entry was written; late if long after

    class ContactChannelSet(Fact):
        address: str

    class KeyContactRecorded(Fact):
        person: str
        title: str
        role: KeyRole

    class KeyPersonnelChangeWarned(Fact):
        """Early warning (rule 161): the customer's decision maker or another key person changed."""

        role: KeyRole
        previous: str
        person: str

    class TripFiled(Fact):
        """Entries a clerk back-filled into the file from a signed trip record (23–25)."""

        trip_id: str
        entries: list[str]

    class ContactVerified(Fact):
        contact_id: str
        caller: str
        outcome: CallbackOutcome
        satisfaction: int | None
        note: str

    class ExpenseClaimed(Fact):
        contact_id: str
        amount: Decimal

    class ContractSigned(Fact):
        contract_ref: str
        value: Decimal

    class ComplaintLogged(Fact):
        complaint_id: str
        summary: str

    class ComplaintResolved(Fact):
        complaint_id: str
        resolution: str

    @event(Registered)
    def __init__(
        self,
        name: str,
        source: Source,
        channel: str | None,
        area: str | None,
        occurred_at: datetime,
        by: str,
        source_ref: str | None = None,
    ) -> None:
        self.name = name
        self.source = source
        self.source_ref = source_ref
        self.channel = channel
        self.area = area
        self.registered_at = occurred_at
        self.tier: Tier | None = None
        self.holder: str | None = None
        self.held_since: datetime | None = None
        self.released_from: dict[str, list[str]] = {}
        self.ever_held = False
        self.pending_transfer: dict[str, Any] | None = None
        self.team: dict[str, TeamRole] = {}
        self.contacts: dict[str, str] = {}  # contact id -> the staff member who made it
        self.claimed: dict[str, bool] = {}  # contacts with an expense claimed against them
        self.contracts = 0
        self.contract_refs: dict[str, bool] = {}
        self.open_complaints: dict[str, datetime] = {}
        self.last_holder_contact_at: datetime | None = None
        self.contact_channel: str | None = None
        self.key_people: dict[str, str] = {}
        # grant id -> (staff it is for, reason, requested by, approved by or None)
        self.exception_grants: dict[str, tuple[str, str, str, str | None]] = {}

    # --- state the rules read -------------------------------------------------

    @property
    def handoff_pending(self) -> bool:
        """Signed but not yet served by both after-sales and technical staff (rule 34)."""
        roles = {role.covers for role in self.team.values()}
        return self.contracts > 0 and not {TeamRole.SERVICE, TeamRole.TECHNICAL} <= roles

    def check_contact(self, contact_id: str) -> None:
        if contact_id not in self.contacts:
            raise NotFound(
                "unknown_contact",
                f"Customer {self.id} has no contact {contact_id}.",
                customer_id=str(self.id),
                contact_id=contact_id,
            )

    # --- grading and custody ----------------------------------------------------

    @event(Graded)
    def grade(
        self,
        tier: Tier,
        reason: str,
        inputs: dict[str, Any],
        policy_version: int,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.tier = tier

    @event(Assigned)
    def assign(
        self,
        holder: str,
        rule: str,
        reason: str,
        policy_version: int,
        override: bool,
        exceptions: list[dict[str, Any]],
        occurred_at: datetime,
        by: str,
    ) -> None:
        self._use_grants(exceptions)
        self._take(holder, occurred_at)

    @event(Reassigned)
    def reassign(
        self,
        from_holder: str,
        to_holder: str,
        reason_code: TransferReason,
        approver: str | None,
        rule: str,
        note: str,
        policy_version: int,
        exceptions: list[dict[str, Any]],
        request_id: str | None,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self._use_grants(exceptions)
        self._leave(from_holder, reason_code, occurred_at)
        self._take(to_holder, occurred_at)
        self.pending_transfer = None

    @event(Released)
    def release(
        self,
        from_holder: str,
        reason_code: TransferReason,
        rule: str,
        note: str,
        policy_version: int,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self._leave(from_holder, reason_code, occurred_at)
        self.holder = None
        self.held_since = None
        self.pending_transfer = None

    def _use_grants(self, exceptions: list[dict[str, Any]]) -> None:
        """An approved exception serves one move: the move that records it uses it up."""
        for granted in exceptions:
            self.exception_grants.pop(str(granted.get("grant_id")), None)

    def _take(self, holder: str, at: datetime) -> None:
        self.holder = holder
        self.held_since = at
        self.ever_held = True
        self.last_holder_contact_at = None

    def _leave(self, holder: str, reason: TransferReason, at: datetime) -> None:
        self.released_from[holder] = [at.isoformat(), reason.value]

    def request_transfer(
        self,
        request_id: str,
        to_holder: str,
        reason_code: TransferReason,
        note: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        if self.pending_transfer is not None:
            raise RuleViolation(
                "transfer_already_pending",
                f"Customer {self.id} already has transfer request {self.pending_transfer['request_id']} pending.",
                request_id=self.pending_transfer["request_id"],
                rule="a_tier_approval",
            )
        assert self.holder is not None
        self._request_transfer(
            request_id, self.holder, to_holder, reason_code, note, occurred_at, by
        )

    @event(TransferRequested)
    def _request_transfer(
        self,
        request_id: str,
        from_holder: str,
        to_holder: str,
        reason_code: TransferReason,
        note: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.pending_transfer = {
            "request_id": request_id,
            "from_holder": from_holder,
            "to_holder": to_holder,
            "reason_code": reason_code,
            "note": note,
            "requested_by": by,
        }

    def check_pending(self, request_id: str) -> dict[str, Any]:
        if self.pending_transfer is None or self.pending_transfer["request_id"] != request_id:
            raise NotFound(
                "unknown_transfer_request",
                f"Customer {self.id} has no pending transfer request {request_id}.",
                request_id=request_id,
            )
        return self.pending_transfer

    @event(TransferRejected)
    def reject_transfer(self, request_id: str, reason: str, occurred_at: datetime, by: str) -> None:
        self.pending_transfer = None

    # --- rule exceptions -------------------------------------------------------------

    @event(ExceptionRequested)
    def request_exception(
        self, grant_id: str, staff_id: str, reason: str, occurred_at: datetime, by: str
    ) -> None:
        self.exception_grants[grant_id] = (staff_id, reason, by, None)

    def check_exception(self, grant_id: str) -> tuple[str, str, str, str | None]:
        if grant_id not in self.exception_grants:
            raise NotFound(
                "unknown_exception",
                f"Customer {self.id} has no unused rule exception {grant_id}.",
                grant_id=grant_id,
            )
        return self.exception_grants[grant_id]

    @event(ExceptionApproved)
    def approve_exception(self, grant_id: str, occurred_at: datetime, by: str) -> None:
        staff_id, reason, requested_by, _ = self.exception_grants[grant_id]
        self.exception_grants[grant_id] = (staff_id, reason, requested_by, by)

    # --- coverage -----------------------------------------------------------------

    @event(TeamMemberAdded)
    def add_team_member(
        self, staff_id: str, team_role: TeamRole, occurred_at: datetime, by: str
    ) -> None:
        self.team[staff_id] = team_role

    def remove_team_member(
        self, staff_id: str, reason: str, occurred_at: datetime, by: str
    ) -> None:
        if staff_id not in self.team:
            raise NotFound(
                "not_a_team_member",
                f"Staff {staff_id} is not on the team of customer {self.id}.",
                staff_id=staff_id,
            )
        self._remove_team_member(staff_id, reason, occurred_at, by)

    @event(TeamMemberRemoved)
    def _remove_team_member(
        self, staff_id: str, reason: str, occurred_at: datetime, by: str
    ) -> None:
        del self.team[staff_id]

    # --- the customer's side: channel and key people ---------------------------------

    @event(ContactChannelSet)
    def set_contact_channel(self, address: str, occurred_at: datetime, by: str) -> None:
        self.contact_channel = address

    def record_key_contact(
        self, person: str, title: str, role: KeyRole, occurred_at: datetime, by: str
    ) -> None:
        """A new person in a key role replaces the one before: that raises the early warning."""
        previous = self.key_people.get(role.value)
        self._record_key_contact(person, title, role, occurred_at, by)
        if previous is not None and previous != person:
            self._warn_key_change(role, previous, person, occurred_at, by)

    @event(KeyContactRecorded)
    def _record_key_contact(
        self, person: str, title: str, role: KeyRole, occurred_at: datetime, by: str
    ) -> None:
        self.key_people[role.value] = person

    @event(KeyPersonnelChangeWarned)
    def _warn_key_change(
        self, role: KeyRole, previous: str, person: str, occurred_at: datetime, by: str
    ) -> None:
        pass

    # --- records ------------------------------------------------------------------

    @event(ContactRecorded)
    def record_contact(
        self,
        contact_id: str,
        staff_id: str,
        kind: ContactKind,
        channel: ContactChannel,
        met: str,
        decision_maker_met: bool,
        needs: str,
        next_step: str,
        occurred_at: datetime,
        by: str,
        channel_address: str | None = None,
        company_channel: bool | None = None,
        asked_for: str | None = None,
        late: bool = False,
        handoff_drift: bool = False,
        entered_at: datetime | None = None,
    ) -> None:
        self.contacts[contact_id] = staff_id
        if staff_id == self.holder and (
            self.last_holder_contact_at is None or occurred_at > self.last_holder_contact_at
        ):
            self.last_holder_contact_at = occurred_at

    @event(TripFiled)
    def file_trip_entries(
        self, trip_id: str, entries: list[str], occurred_at: datetime, by: str
    ) -> None:
        pass

    def contact_staff(self, contact_id: str) -> str:
        self.check_contact(contact_id)
        return self.contacts[contact_id]

    def verify_contact(
        self,
        contact_id: str,
        caller: str,
        outcome: CallbackOutcome,
        satisfaction: int | None,
        note: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.check_contact(contact_id)
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise InvalidInput(
                "satisfaction_out_of_range",
                f"Satisfaction is scored 1 to 5, not {satisfaction}.",
                satisfaction=satisfaction,
            )
        self._verify_contact(contact_id, caller, outcome, satisfaction, note, occurred_at, by)

    @event(ContactVerified)
    def _verify_contact(
        self,
        contact_id: str,
        caller: str,
        outcome: CallbackOutcome,
        satisfaction: int | None,
        note: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        pass  # a callback changes no state a rule reads: the read models keep the outcome

    def claim_expense(
        self, contact_id: str, amount: Decimal, occurred_at: datetime, by: str
    ) -> None:
        self.check_contact(contact_id)
        if amount <= 0:
            raise InvalidInput(
                "expense_not_positive",
                f"An expense must be positive, not {amount}.",
                amount=str(amount),
            )
        if contact_id in self.claimed:
            raise RuleViolation(
                "expense_already_claimed",
                f"Contact {contact_id} already has an expense claimed against it.",
                contact_id=contact_id,
            )
        self._claim_expense(contact_id, amount, occurred_at, by)

    @event(ExpenseClaimed)
    def _claim_expense(
        self, contact_id: str, amount: Decimal, occurred_at: datetime, by: str
    ) -> None:
        self.claimed[contact_id] = True

    def sign_contract(
        self, contract_ref: str, value: Decimal, occurred_at: datetime, by: str
    ) -> None:
        if contract_ref in self.contract_refs:
            raise RuleViolation(
                "contract_already_signed",
                f"Contract {contract_ref} is already on customer {self.id}'s file.",
                contract_ref=contract_ref,
            )
        self._sign_contract(contract_ref, value, occurred_at, by)

    @event(ContractSigned)
    def _sign_contract(
        self, contract_ref: str, value: Decimal, occurred_at: datetime, by: str
    ) -> None:
        self.contracts += 1
        self.contract_refs[contract_ref] = True

    @event(ComplaintLogged)
    def log_complaint(
        self, complaint_id: str, summary: str, occurred_at: datetime, by: str
    ) -> None:
        self.open_complaints[complaint_id] = occurred_at

    def resolve_complaint(
        self, complaint_id: str, resolution: str, occurred_at: datetime, by: str
    ) -> None:
        if complaint_id not in self.open_complaints:
            raise NotFound(
                "unknown_complaint",
                f"Customer {self.id} has no open complaint {complaint_id}.",
                complaint_id=complaint_id,
            )
        self._resolve_complaint(complaint_id, resolution, occurred_at, by)

    @event(ComplaintResolved)
    def _resolve_complaint(
        self, complaint_id: str, resolution: str, occurred_at: datetime, by: str
    ) -> None:
        del self.open_complaints[complaint_id]
