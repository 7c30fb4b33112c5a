"""No private use of customer data: approved shares, exports judged against them, violations.

A refused export is the one refusal here that stores something: the attempt (`DataExport`
`Requested` then `Refused`) is saved on its own, then the refusal is raised to the caller with
its code and the attempt's id in `params["attempt_id"]` (SEED-RULES decision 4).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ledger.clock import aware
from ledger.commands.moves import MovesCommands
from ledger.datashare import DataExport, DataShare, ShareRegister
from ledger.enums import Severity, ShareScope
from ledger.errors import LedgerError
from ledger.rules import privacy
from ledger.service import Receipt, retrying
from ledger.staff import Staff
from ledger.violation import Violation

Plan = dict[UUID, UUID | None]


class PrivacyCommands(MovesCommands):
    def request_data_share(
        self,
        recipient: str,
        purpose: str,
        scope: ShareScope,
        scope_values: list[str],
        valid_from: datetime,
        valid_to: datetime,
        at: datetime,
        by: str,
    ) -> Receipt:
        """Ask for a hand-over of customer data; it covers nothing until a manager approves it."""
        at, start, end = aware(at), aware(valid_from, "valid_from"), aware(valid_to, "valid_to")
        privacy.check_share_terms(recipient, purpose, scope, scope_values, start, end)
        self._actor(by, at)
        values = [self._scope_value(scope, value) for value in dict.fromkeys(scope_values)]
        share = DataShare(
            recipient.strip(), purpose.strip(), scope, values, start, end, occurred_at=at, by=by
        )
        return self._save(share)

    def _scope_value(self, scope: ShareScope, value: str) -> str:
        if scope is ShareScope.CUSTOMERS:
            return str(self.customer(value).id)
        if scope is ShareScope.HOLDER:
            return str(self.staff(value).id)
        return value.strip()

    @retrying
    def approve_data_share(self, share_id: UUID, note: str, at: datetime, by: str) -> Receipt:
        """A manager's approval makes the share cover exports within its terms (152)."""
        at = aware(at)
        share = self._share(share_id)
        self._require_manager(by, at)
        privacy.check_pending(str(share.id), share.approved, share.revoked)
        privacy.check_four_eyes(str(share.id), share.requested_by, by)
        share.approve(note, occurred_at=at, by=by)
        register = self._share_register()
        register.list_share(str(share.id), share.recipient, occurred_at=at, by=by)
        return self._save(share, register)

    @retrying
    def revoke_data_share(self, share_id: UUID, reason: str, at: datetime, by: str) -> Receipt:
        at = aware(at)
        share = self._share(share_id)
        self._require_manager(by, at)
        privacy.check_not_revoked(str(share.id), share.revoked)
        share.revoke(reason, occurred_at=at, by=by)
        return self._save(share)

    @retrying
    def export_customer_data(
        self,
        customer_ids: list[UUID],
        recipient: str,
        purpose: str,
        at: datetime,
        by: str,
        share_id: UUID | None = None,
    ) -> Receipt:
        """Hand customer data over only under an approved share in force; record a refusal."""
        at = aware(at)
        ids = list(dict.fromkeys(str(c) for c in customer_ids))
        privacy.check_export_request(ids, recipient, purpose)
        items = [self._item(customer_id) for customer_id in ids]
        attempt = DataExport(ids, recipient.strip(), purpose.strip(), occurred_at=at, by=by)
        try:
            self._actor(by, at)
            share = self._covering_share(recipient, purpose, items, at, share_id)
        except LedgerError as refusal:
            cited = refusal.params.get("share_id")
            attempt.refuse(refusal.code, refusal.message, cited, occurred_at=at, by=by)
            self.save(attempt)
            refusal.params["attempt_id"] = str(attempt.id)
            raise
        attempt.export(str(share.id), occurred_at=at, by=by)
        share.use(str(attempt.id), ids, occurred_at=at, by=by)
        return self._save(attempt, share, ref=str(share.id))

    def _item(self, customer_id: str) -> privacy.Item:
        customer = self.customer(customer_id)
        return privacy.Item(str(customer.id), customer.holder, customer.area)

    def _covering_share(
        self,
        recipient: str,
        purpose: str,
        items: list[privacy.Item],
        at: datetime,
        share_id: UUID | None,
    ) -> DataShare:
        ids = [share_id] if share_id else self._share_register().shares_for(recipient)
        shares = {str(share.id): share for share in map(self._share, ids)}
        facts = [share_facts(share) for share in shares.values()]
        return shares[privacy.choose_share(facts, recipient, purpose, items, at).share_id]

    @retrying
    def record_violation(
        self,
        staff_id: UUID,
        severity: Severity,
        description: str,
        at: datetime,
        by: str,
        export_id: UUID | None = None,
        plan: Plan | None = None,
    ) -> Receipt:
        """Record what the person did; its severity's consequences are saved with it (47–49)."""
        at = aware(at)
        privacy.check_violation_terms(description, severity, plan is not None)
        person = self.staff(staff_id)
        self._require_manager(by, at, violator=str(person.id))
        if export_id is not None:
            self._load(DataExport, export_id, "unknown_export")
        violation = Violation(
            str(person.id), severity, description.strip(), str(export_id) if export_id else None,
            occurred_at=at, by=by,
        )  # fmt: skip
        if severity is Severity.MALICIOUS:
            return self._terminate(violation, person, at, by, plan)
        steps = {
            "written_warning": violation.warn,
            "stop_order": violation.order_stop,
            "internal_investigation": violation.open_investigation,
        }
        for consequence in privacy.CONSEQUENCES[severity]:
            steps[consequence](description.strip(), occurred_at=at, by=by)
        return self._save(violation)

    def _terminate(
        self, violation: Violation, person: Staff, at: datetime, by: str, plan: Plan | None
    ) -> Receipt:
        """Termination is a departure: every customer moves by the plan (default: the pool)."""
        steps: Plan = plan if plan is not None else {UUID(c): None for c in sorted(person.book)}
        reason = f"terminated for a malicious use of customer data (violation {violation.id})"
        leaver, changed = self._departure(person.id, reason, at, by, steps)
        moved = {str(c): (str(s) if s else None) for c, s in steps.items()}
        violation.terminate(moved, occurred_at=at, by=by)
        return self._save(violation, leaver, *changed)

    @retrying
    def close_investigation(
        self, violation_id: UUID, finding: str, at: datetime, by: str, warning: bool = False
    ) -> Receipt:
        """A serious violation's investigation ends with a finding, possibly a warning (48)."""
        at = aware(at)
        violation = self._load(Violation, violation_id, "unknown_violation")
        privacy.check_finding(finding)
        self._require_manager(by, at, violator=violation.staff_id)
        privacy.check_investigation_open(str(violation.id), violation.investigation)
        violation.close_investigation(finding.strip(), occurred_at=at, by=by)
        if warning:
            violation.warn(finding.strip(), occurred_at=at, by=by)
        return self._save(violation)

    def _require_manager(self, by: str, at: datetime, violator: str | None = None) -> None:
        actor = self._actor(by, at)
        role = actor.role if actor else None
        if violator is None:
            privacy.check_approver(by, role)
        else:
            privacy.check_can_record_violation(by, role, violator)

    def _share(self, share_id: UUID | str) -> DataShare:
        return self._load(DataShare, share_id, "unknown_data_share")

    def _share_register(self) -> ShareRegister:
        register: ShareRegister = self._get_or(ShareRegister.create_id(), ShareRegister)
        return register


def share_facts(share: DataShare) -> privacy.ShareFacts:
    return privacy.ShareFacts(
        str(share.id), share.recipient, share.purpose, share.scope, frozenset(share.scope_values),
        share.valid_from, share.valid_to, share.approved, share.revoked,
    )  # fmt: skip
