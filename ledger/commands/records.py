"""The records of a customer: team, contacts, callbacks, expenses, contracts, complaints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from ledger.channel import Channel, normalise
from ledger.clock import aware, utcnow
from ledger.commands.fileaccess import check_works_on
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    KeyRole,
    TeamRole,
)
from ledger.errors import RuleViolation
from ledger.rules import eligibility, records
from ledger.service import LedgerService, Receipt, retrying


class RecordsCommands(LedgerService):
    # --- coverage -----------------------------------------------------------------

    @retrying
    def add_team_member(
        self, customer_id: UUID, staff_id: UUID, team_role: TeamRole, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        check_works_on(self, customer, by, aware(at), what="team change")
        member = self.staff(staff_id)
        eligibility.check_active(str(staff_id), member.status_at(aware(at)))
        customer.add_team_member(str(staff_id), team_role, occurred_at=aware(at), by=by)
        member.start_serving(str(customer.id), team_role.value, occurred_at=aware(at), by=by)
        return self._save(customer, member)

    @retrying
    def remove_team_member(
        self, customer_id: UUID, staff_id: UUID, reason: str, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        customer.remove_team_member(str(staff_id), reason, occurred_at=aware(at), by=by)
        member = self.staff(staff_id)
        member.end_serving(str(customer.id), occurred_at=aware(at), by=by)
        return self._save(customer, member)

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
        channel_address: str | None = None,
        asked_for: str | None = None,
        recorded_at: datetime | None = None,
    ) -> Receipt:
        """Every contact is kept; a late one, one on a channel the company does not own, and
        service done by the sales holder after the contract are accepted and flagged."""
        at = aware(at)
        customer = self.customer(customer_id)
        check_works_on(self, customer, by, at, named=str(staff_id), what="contact")
        eligibility.check_active(str(staff_id), self.staff_view(staff_id).status_at(at))
        params = self.policy_in_force(at).params
        entered = aware(recorded_at or utcnow(), "recorded_at")
        contact_id = uuid4().hex
        customer.record_contact(
            contact_id, str(staff_id), kind, channel, met, decision_maker_met, needs, next_step,
            occurred_at=at, by=by, channel_address=channel_address,
            company_channel=self._is_company_channel(channel_address),
            asked_for=asked_for,
            late=records.is_late(at, entered, params.late_entry_days), entered_at=entered,
            handoff_drift=records.is_handoff_drift(kind, str(staff_id), customer.holder, customer.contracts),
        )  # fmt: skip
        return self._save(customer, ref=contact_id)

    def _is_company_channel(self, address: str | None) -> bool | None:
        if address is None:
            return None
        try:
            channel = self._peek(Channel.create_id(address))
        except AggregateNotFoundError:
            return False
        return isinstance(channel, Channel) and not channel.retired

    # --- company channels and the customer's side -----------------------------------

    @retrying
    def register_channel(
        self, address: str, kind: str, assigned_to: str, at: datetime, by: str
    ) -> Receipt:
        """A company number or mailbox, issued to a staff member or to a line like the hotline."""
        if self._is_company_channel(address) is not False:
            raise RuleViolation(
                "channel_already_registered",
                f"{address} is already in the company's channel registry.",
                address=address,
                rule="company_channels",
            )
        channel = Channel(normalise(address), kind, assigned_to, occurred_at=aware(at), by=by)
        return self._save(channel)

    @retrying
    def retire_channel(self, address: str, reason: str, at: datetime, by: str) -> Receipt:
        channel = self._load(Channel, Channel.create_id(address), "unknown_channel")
        channel.retire(reason, occurred_at=aware(at), by=by)
        return self._save(channel)

    @retrying
    def set_customer_channel(
        self, customer_id: UUID, address: str, at: datetime, by: str
    ) -> Receipt:
        """The number the company reaches the customer on must be the company's own."""
        customer = self.customer(customer_id)
        check_works_on(self, customer, by, aware(at), what="contact channel")
        records.check_company_channel(address, bool(self._is_company_channel(address)))
        customer.set_contact_channel(normalise(address), occurred_at=aware(at), by=by)
        return self._save(customer)

    @retrying
    def record_key_contact(
        self, customer_id: UUID, person: str, title: str, role: KeyRole, at: datetime, by: str
    ) -> Receipt:
        """Decision makers, influencers and key contacts; a replaced one raises a warning (161)."""
        customer = self.customer(customer_id)
        check_works_on(self, customer, by, aware(at), what="key contact")
        customer.record_key_contact(person, title, role, occurred_at=aware(at), by=by)
        return self._save(customer)

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
        check_works_on(self, customer, by, aware(at), named=str(caller_id), what="callback")
        caller = self.staff(caller_id)
        eligibility.check_active(str(caller_id), caller.status)
        interested = {customer.contact_staff(contact_id), customer.holder}
        records.check_callback(str(caller_id), caller.role, interested, outcome, satisfaction, note)
        customer.verify_contact(
            contact_id, str(caller_id), outcome, satisfaction, note, occurred_at=aware(at), by=by
        )
        return self._save(customer, ref=contact_id)

    @retrying
    def claim_expense(
        self, customer_id: UUID, contact_id: str, amount: Decimal, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        named = customer.contact_staff(contact_id)
        check_works_on(self, customer, by, aware(at), named=named, what="expense claim")
        customer.claim_expense(contact_id, amount, occurred_at=aware(at), by=by)
        return self._save(customer, ref=contact_id)

    @retrying
    def sign_contract(
        self, customer_id: UUID, contract_ref: str, value: Decimal, at: datetime, by: str
    ) -> Receipt:
        customer = self.customer(customer_id)
        check_works_on(self, customer, by, aware(at), what="contract")
        customer.sign_contract(contract_ref, value, occurred_at=aware(at), by=by)
        return self._save(customer, ref=contract_ref)
