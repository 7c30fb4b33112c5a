"""Tokens for people and integrations, and the audited read path to customer files."""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

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


@dataclass(frozen=True)
class TokenInfo:
    """A token as `ledger token list` shows it: never the token itself, which is not stored."""

    token_id: UUID
    subject: str  # a staff id, or client:NAME
    scopes: tuple[str, ...]
    label: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


class AccessCommands(LedgerService):
    def issue_token(
        self,
        at: datetime,
        by: str,
        staff_id: UUID | None = None,
        client: str | None = None,
        scopes: frozenset[str] = frozenset(),
        label: str = "",
        expires_at: datetime | None = None,
    ) -> tuple[str, Receipt]:
        """Return the token once; only its digest is stored."""
        at = aware(at)
        if expires_at is not None and aware(expires_at, "expires_at") <= at:
            raise InvalidInput(
                "token_expiry_past",
                f"A token's expiry must lie after its issue ({at.isoformat()}).",
                expires_at=expires_at.isoformat(),
            )
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
            expires_at=aware(expires_at, "expires_at") if expires_at else None,
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
        if issued.expires_at is not None and aware(at) >= issued.expires_at:
            raise RuleViolation(
                "token_expired",
                f"The bearer token expired at {issued.expires_at.isoformat()}.",
                rule="access",
            )
        if issued.client is not None:
            return Principal(f"client:{issued.client}", None, frozenset(issued.scopes), issued.id)
        staff = self.staff_view(issued.staff_id or "")
        eligibility.check_active(str(staff.id), staff.status_at(aware(at)))
        return Principal(str(staff.id), staff.role, frozenset(), issued.id)

    def tokens(self) -> list[TokenInfo]:
        """Every token ever issued, from the log: who it is for, why, until when, revoked?"""
        topics = [get_topic(ApiToken.Issued), get_topic(ApiToken.Revoked)]
        found: dict[UUID, TokenInfo] = {}
        start = 1
        while page := self.recorder.select_notifications(start, 1000, topics=topics):
            for notification in page:
                e = self.mapper.to_domain_event(notification)
                if isinstance(e, ApiToken.Issued):
                    subject = f"client:{e.client}" if e.client else str(e.staff_id)
                    found[e.originator_id] = TokenInfo(
                        e.originator_id,
                        subject,
                        tuple(e.scopes),
                        e.label,
                        e.occurred_at,
                        e.expires_at,
                        None,
                    )
                elif isinstance(e, ApiToken.Revoked) and e.originator_id in found:
                    found[e.originator_id] = replace(
                        found[e.originator_id], revoked_at=e.occurred_at
                    )
            start = page[-1].id + 1
        return list(found.values())

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
