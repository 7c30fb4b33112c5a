"""The ledger's one application service: load, check the rules, change, save together."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording

from ledger.clock import aware
from ledger.customer import Customer
from ledger.enums import (
    ALL_ENUMS,
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    Role,
    Seniority,
    Source,
    TeamRole,
    Tier,
    TransferReason,
)
from ledger.errors import ConcurrencyConflict, NotFound, RuleViolation
from ledger.policy import Policy, PolicyParams, PolicyVersion
from ledger.rules import custody, eligibility
from ledger.settings import LedgerSettings
from ledger.staff import Staff
from ledger.transcodings import EnumAsValue

SYSTEM = "system"
MAX_ATTEMPTS = 5

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Receipt:
    """What a command changed: the aggregate, its new version, and the log positions written."""

    id: UUID
    version: int
    positions: list[int] = field(default_factory=list)
    ref: str | None = None

    @property
    def last_position(self) -> int:
        return max(self.positions, default=0)


def retrying(
    method: Callable[Concatenate[OwnershipLedger, P], R],
) -> Callable[Concatenate[OwnershipLedger, P], R]:
    """Decide again on fresh state when a concurrent writer won the race; give up clearly."""

    def wrapper(self: OwnershipLedger, *args: P.args, **kwargs: P.kwargs) -> R:
        for _ in range(MAX_ATTEMPTS):
            try:
                return method(self, *args, **kwargs)
            except IntegrityError:
                continue
        raise ConcurrencyConflict(
            "concurrent_modification",
            f"Other writers kept changing the same records; gave up after {MAX_ATTEMPTS} attempts.",
            attempts=MAX_ATTEMPTS,
        )

    return functools.update_wrapper(wrapper, method)  # type: ignore[return-value]


class OwnershipLedger(Application[UUID]):
    """Every use case of the customer ownership ledger, one method each."""

    name = "ledger"

    def __init__(self, settings: LedgerSettings | None = None, env: dict[str, str] | None = None):
        self.settings = settings or LedgerSettings()
        interval = self.settings.snapshot_interval
        self.snapshotting_intervals = {Customer: interval, Staff: interval}  # type: ignore[misc]
        super().__init__(env={**self.settings.eventsourcing_env(), **(env or {})})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for enum_type in ALL_ENUMS:
            transcoder.register(EnumAsValue(enum_type))

    # --- loading and saving -----------------------------------------------------

    def _load(self, kind: type[A], aggregate_id: UUID | str, code: str) -> A:
        try:
            aggregate: Aggregate | None = self.repository.get(UUID(str(aggregate_id)))
        except (AggregateNotFoundError, ValueError):
            aggregate = None
        if not isinstance(aggregate, kind):
            label = kind.__name__.lower()
            raise NotFound(code, f"No {label} with id {aggregate_id}.", id=str(aggregate_id))
        return aggregate

    def customer(self, customer_id: UUID | str) -> Customer:
        return self._load(Customer, customer_id, "unknown_customer")

    def staff(self, staff_id: UUID | str) -> Staff:
        return self._load(Staff, staff_id, "unknown_staff")

    def _policy(self) -> Policy:
        try:
            policy: Aggregate = self.repository.get(Policy.create_id())
        except AggregateNotFoundError:
            return Policy()
        assert isinstance(policy, Policy)
        return policy

    def policy_in_force(self, at: datetime) -> PolicyVersion:
        return self._policy().in_force(aware(at, "at"))

    def _save(self, main: Aggregate, *others: Aggregate | None, ref: str | None = None) -> Receipt:
        recordings: list[Recording[UUID]] = self.save(main, *others)
        return Receipt(
            id=main.id,
            version=main.version,
            positions=[r.notification.id for r in recordings],
            ref=ref,
        )

    # --- staff --------------------------------------------------------------------

    def join_staff(
        self,
        name: str,
        role: Role,
        seniority: Seniority | None,
        team: str,
        area: str,
        at: datetime,
        by: str = SYSTEM,
    ) -> Receipt:
        staff = Staff(name, role, seniority, team, area, occurred_at=aware(at), by=by)
        return self._save(staff)

    @retrying
    def change_seniority(
        self, staff_id: UUID, seniority: Seniority, reason: str, at: datetime, by: str
    ) -> Receipt:
        staff = self.staff(staff_id)
        staff.change_seniority(seniority, reason, occurred_at=aware(at), by=by)
        return self._save(staff)

    @retrying
    def change_area(self, staff_id: UUID, area: str, reason: str, at: datetime, by: str) -> Receipt:
        staff = self.staff(staff_id)
        staff.change_area(area, reason, occurred_at=aware(at), by=by)
        return self._save(staff)

    @retrying
    def announce_departure(
        self, staff_id: UUID, effective_at: datetime, reason: str, at: datetime, by: str
    ) -> Receipt:
        staff = self.staff(staff_id)
        eligibility.check_active(str(staff_id), staff.status)
        staff.announce_departure(
            aware(effective_at, "effective_at"), reason, occurred_at=aware(at), by=by
        )
        return self._save(staff)

    @retrying
    def record_departure(self, staff_id: UUID, reason: str, at: datetime, by: str) -> Receipt:
        staff = self.staff(staff_id)
        eligibility.check_active(str(staff_id), staff.status)
        if staff.book:
            raise RuleViolation(
                "departure_leaves_customers",
                f"Staff {staff_id} still holds {len(staff.book)} customers; "
                "reassign or release each before the departure takes effect.",
                staff_id=str(staff_id),
                held=len(staff.book),
            )
        staff.depart(reason, occurred_at=aware(at), by=by)
        return self._save(staff)

    # --- customers: registration, grading, custody ------------------------------

    def register_customer(
        self,
        name: str,
        source: Source,
        at: datetime,
        by: str = SYSTEM,
        channel: str | None = None,
        area: str | None = None,
    ) -> Receipt:
        customer = Customer(name, source, channel, area, occurred_at=aware(at), by=by)
        return self._save(customer)

    @retrying
    def grade_customer(
        self,
        customer_id: UUID,
        tier: Tier,
        reason: str,
        at: datetime,
        by: str,
        inputs: dict[str, Any] | None = None,
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        version = self.policy_in_force(at).version
        customer.grade(tier, reason, inputs or {}, version, occurred_at=at, by=by)
        holder = self.staff(customer.holder) if customer.holder else None
        if holder is not None:
            holder.retier_customer(str(customer_id), tier, occurred_at=at, by=by)
        return self._save(customer, holder)

    @retrying
    def assign_customer(
        self,
        customer_id: UUID,
        staff_id: UUID,
        at: datetime,
        by: str,
        rule: str = "allocation_team_decision",
        reason: str = "",
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        staff = self.staff(staff_id)
        custody.check_unheld(str(customer_id), customer.holder)
        eligibility.check_can_hold(str(staff_id), staff.role, staff.status)
        version = self.policy_in_force(at).version
        customer.assign(str(staff_id), rule, reason, version, occurred_at=at, by=by)
        staff.book_customer(str(customer_id), customer.tier, occurred_at=at, by=by)
        return self._save(customer, staff)

    @retrying
    def reassign_customer(
        self,
        customer_id: UUID,
        to_staff_id: UUID,
        reason_code: TransferReason,
        at: datetime,
        by: str,
        approver: str | None = None,
        note: str = "",
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        giver_id = custody.check_held(str(customer_id), customer.holder)
        custody.check_new_holder(str(customer_id), giver_id, str(to_staff_id))
        receiver = self.staff(to_staff_id)
        eligibility.check_can_hold(str(to_staff_id), receiver.role, receiver.status)
        giver = self.staff(giver_id)
        version = self.policy_in_force(at).version
        customer.reassign(
            giver_id, str(to_staff_id), reason_code, approver, "allocation_team_decision",
            note, version, occurred_at=at, by=by,
        )  # fmt: skip
        giver.unbook_customer(str(customer_id), occurred_at=at, by=by)
        receiver.book_customer(str(customer_id), customer.tier, occurred_at=at, by=by)
        return self._save(customer, giver, receiver)

    @retrying
    def release_customer(
        self, customer_id: UUID, reason_code: TransferReason, at: datetime, by: str, note: str = ""
    ) -> Receipt:
        at = aware(at)
        customer = self.customer(customer_id)
        giver = self.staff(custody.check_held(str(customer_id), customer.holder))
        version = self.policy_in_force(at).version
        customer.release(str(giver.id), reason_code, note, version, occurred_at=at, by=by)
        giver.unbook_customer(str(customer_id), occurred_at=at, by=by)
        return self._save(customer, giver)

    # --- coverage -----------------------------------------------------------------

    @retrying
    def add_team_member(
        self, customer_id: UUID, staff_id: UUID, team_role: TeamRole, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        eligibility.check_active(str(staff_id), self.staff(staff_id).status)
        customer.add_team_member(str(staff_id), team_role, occurred_at=aware(at), by=by)
        return self._save(customer)

    @retrying
    def remove_team_member(
        self, customer_id: UUID, staff_id: UUID, reason: str, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.remove_team_member(str(staff_id), reason, occurred_at=aware(at), by=by)
        return self._save(customer)

    # --- records --------------------------------------------------------------------

    @retrying
    def record_contact(
        self,
        customer_id: UUID,
        staff_id: UUID,
        kind: ContactKind,
        channel: ContactChannel,
        at: datetime,
        by: str,
        met: str = "",
        decision_maker_met: bool = False,
        needs: str = "",
        next_step: str = "",
    ) -> Receipt:
        customer = self.customer(customer_id)
        eligibility.check_active(str(staff_id), self.staff(staff_id).status)
        contact_id = uuid4().hex
        customer.record_contact(
            contact_id, str(staff_id), kind, channel, met, decision_maker_met, needs,
            next_step, occurred_at=aware(at), by=by,
        )  # fmt: skip
        return self._save(customer, ref=contact_id)

    @retrying
    def verify_contact(
        self,
        customer_id: UUID,
        contact_id: str,
        caller_id: UUID,
        outcome: CallbackOutcome,
        at: datetime,
        by: str,
        satisfaction: int | None = None,
        note: str = "",
    ) -> Receipt:
        customer = self.customer(customer_id)
        eligibility.check_active(str(caller_id), self.staff(caller_id).status)
        customer.verify_contact(
            contact_id, str(caller_id), outcome, satisfaction, note, occurred_at=aware(at), by=by
        )
        return self._save(customer, ref=contact_id)

    @retrying
    def claim_expense(
        self, customer_id: UUID, contact_id: str, amount: Decimal, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.claim_expense(contact_id, amount, occurred_at=aware(at), by=by)
        return self._save(customer, ref=contact_id)

    @retrying
    def sign_contract(
        self, customer_id: UUID, contract_ref: str, value: Decimal, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.sign_contract(contract_ref, value, occurred_at=aware(at), by=by)
        return self._save(customer, ref=contract_ref)

    @retrying
    def log_complaint(self, customer_id: UUID, summary: str, at: datetime, by: str) -> Receipt:
        customer = self.customer(customer_id)
        complaint_id = uuid4().hex
        customer.log_complaint(complaint_id, summary, occurred_at=aware(at), by=by)
        return self._save(customer, ref=complaint_id)

    @retrying
    def resolve_complaint(
        self, customer_id: UUID, complaint_id: str, resolution: str, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.resolve_complaint(complaint_id, resolution, occurred_at=aware(at), by=by)
        return self._save(customer, ref=complaint_id)

    # --- policy -----------------------------------------------------------------------

    @retrying
    def adopt_policy(
        self,
        params: dict[str, Any],
        effective_at: datetime,
        reason: str,
        at: datetime,
        by: str,
    ) -> Receipt:
        validated = PolicyParams.from_dict(params)
        policy = self._policy()
        policy.adopt(
            policy.next_version, validated.to_dict(), aware(effective_at, "effective_at"),
            reason, occurred_at=aware(at), by=by,
        )  # fmt: skip
        return self._save(policy)

    def event_count(self) -> int:
        return self.recorder.max_notification_id() or 0
