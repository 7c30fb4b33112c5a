"""Tokens for people and integrations, and the audited read path to customer files."""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from ledger.access import ApiToken, FileRead, refusal_id, token_digest
from ledger.clock import aware
from ledger.commands.fileaccess import file_facts, reader_of
from ledger.enums import Role
from ledger.errors import InvalidInput, LedgerError, NotFound, RuleViolation
from ledger.rules import access, eligibility
from ledger.service import LedgerService, Receipt

CLIENT_SCOPES = frozenset({"leads", "contacts", "callbacks", "expenses", "read_events"})


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff member (with their role) or an integration client (with scopes)."""

    actor: str
    role: Role | None
    scopes: frozenset[str]
    token_id: UUID

    @property
    def is_client(self) -> bool:
        return self.role is None


class AccessCommands(LedgerService):
    def issue_token(
        self,
        at: datetime,
        by: str,
        staff_id: UUID | None = None,
        client: str | None = None,
        scopes: frozenset[str] = frozenset(),
        label: str = "",
    ) -> tuple[str, Receipt]:
        """Return the token once; only its digest is stored."""
        at = aware(at)
        if (staff_id is None) == (client is None):
            raise InvalidInput("token_subject", "A token is for one staff member or one client.")
        unknown = sorted(set(scopes) - CLIENT_SCOPES)
        if unknown:
            raise InvalidInput(
                "unknown_scope", f"Unknown scopes: {', '.join(unknown)}.", scopes=unknown
            )
        if staff_id is not None:
            eligibility.check_active(str(staff_id), self.staff(staff_id).status_at(at))
        token = secrets.token_urlsafe(32)
        issued = ApiToken(
            token_digest(token), str(staff_id) if staff_id else None, client,
            sorted(scopes), label, occurred_at=at, by=by,
        )  # fmt: skip
        return token, self._save(issued)

    def principal(self, token: str, at: datetime) -> Principal:
        """Resolve a bearer token; a departed person's token stops working at once."""
        try:
            issued: Aggregate = self._peek(ApiToken.create_id(token_digest(token)))  # read only
        except AggregateNotFoundError:
            raise NotFound("unknown_token", "The bearer token is not known.") from None
        assert isinstance(issued, ApiToken)
        if issued.revoked:
            raise RuleViolation("token_revoked", "The bearer token was revoked.", rule="access")
        if issued.client is not None:
            return Principal(f"client:{issued.client}", None, frozenset(issued.scopes), issued.id)
        staff = self.staff_view(issued.staff_id or "")
        eligibility.check_active(str(staff.id), staff.status_at(aware(at)))
        return Principal(str(staff.id), staff.role, frozenset(), issued.id)

    def revoke_token(self, token: str, reason: str, at: datetime, by: str) -> Receipt:
        issued = self._load(ApiToken, ApiToken.create_id(token_digest(token)), "unknown_token")
        issued.revoke(reason, occurred_at=aware(at), by=by)
        return self._save(issued)

    def read_customer_file(
        self, reader_id: str, customer_id: UUID, what: str, at: datetime
    ) -> Receipt:
        """Check permission and record the read; a refused read is recorded too, then refused."""
        at = aware(at)
        customer = self.customer(customer_id)
        reader = self.staff(reader_id)
        try:
            eligibility.check_active(reader_id, reader.status_at(at))
            reason = access.check_can_read(reader_of(reader), file_facts(self, customer))
        except LedgerError as refusal:
            try:
                self._peek(refusal_id(reader_id, str(customer_id), at))  # recorded this hour
            except AggregateNotFoundError:
                tried = FileRead(
                    reader_id, str(customer_id), what, False, refusal.code, at, reader_id
                )
                with suppress(IntegrityError):  # another worker recorded it a moment earlier
                    self.save(tried)
            raise
        return self._save(FileRead(reader_id, str(customer_id), what, True, reason, at, reader_id))
