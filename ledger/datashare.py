"""Company-sanctioned sharing of customer data, and every export judged against it (43, 152)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.enums import ShareScope
from ledger.events import Fact, Started
from ledger.rules.privacy import key


class DataShare(Aggregate):
    """A hand-over of customer data a manager approved: to whom, why, which customers, how long."""

    class Requested(Started):
        recipient: str
        purpose: str
        scope: ShareScope
        scope_values: list[str]
        valid_from: datetime
        valid_to: datetime

    class Approved(Fact):
        note: str

    class Used(Fact):
        export_id: str
        customer_ids: list[str]

    class Revoked(Fact):
        reason: str

    @event(Requested)
    def __init__(
        self,
        recipient: str,
        purpose: str,
        scope: ShareScope,
        scope_values: list[str],
        valid_from: datetime,
        valid_to: datetime,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.recipient = recipient
        self.purpose = purpose
        self.scope = scope
        self.scope_values = list(scope_values)
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.requested_by = by
        self.approved_by: str | None = None
        self.revoked = False
        self.uses = 0

    @property
    def approved(self) -> bool:
        return self.approved_by is not None

    @event(Approved)
    def approve(self, note: str, occurred_at: datetime, by: str) -> None:
        self.approved_by = by

    @event(Used)
    def use(self, export_id: str, customer_ids: list[str], occurred_at: datetime, by: str) -> None:
        self.uses += 1

    @event(Revoked)
    def revoke(self, reason: str, occurred_at: datetime, by: str) -> None:
        self.revoked = True


class ShareRegister(Aggregate):
    """Every approved share by recipient, so an export finds the approval that covers it."""

    class Opened(Aggregate.Created):
        pass

    class ShareListed(Fact):
        share_id: str
        recipient: str

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "ledger:data-share-register")

    @event(Opened)
    def __init__(self) -> None:
        self.by_recipient: dict[str, list[str]] = {}

    def shares_for(self, recipient: str) -> list[str]:
        """The newest approval first: it is the one a manager most recently decided."""
        return list(reversed(self.by_recipient.get(key(recipient), [])))

    @event(ShareListed)
    def list_share(self, share_id: str, recipient: str, occurred_at: datetime, by: str) -> None:
        self.by_recipient.setdefault(key(recipient), []).append(share_id)


class DataExport(Aggregate):
    """One attempt to export or hand over customer data, and the ledger's decision on it.

    A refused attempt is stored too (`Requested` then `Refused`): SEED-RULES decision 4 asks
    that any hand-over outside an approved share is refused and recorded.
    """

    class Requested(Started):
        customer_ids: list[str]
        recipient: str
        purpose: str

    class Exported(Fact):
        share_id: str

    class Refused(Fact):
        code: str
        message: str
        share_id: str | None

    @event(Requested)
    def __init__(
        self,
        customer_ids: list[str],
        recipient: str,
        purpose: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.actor = by
        self.customer_ids = list(customer_ids)
        self.recipient = recipient
        self.share_id: str | None = None
        self.refused_code: str | None = None

    @event(Exported)
    def export(self, share_id: str, occurred_at: datetime, by: str) -> None:
        self.share_id = share_id

    @event(Refused)
    def refuse(
        self, code: str, message: str, share_id: str | None, occurred_at: datetime, by: str
    ) -> None:
        self.refused_code = code
