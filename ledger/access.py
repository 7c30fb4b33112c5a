"""Who may use the ledger, and a record of every read of a customer file (rules 12, 17)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.events import Fact, Started


def token_digest(token: str) -> str:
    """Only this digest is stored: a leaked event log leaks no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Aggregate):
    """A bearer token, issued to a staff member or to an integration client with scopes."""

    class Issued(Started):
        digest: str
        staff_id: str | None
        client: str | None
        scopes: list[str]
        label: str
        expires_at: datetime | None = None  # after which the token opens nothing

    class Revoked(Fact):
        reason: str

    @staticmethod
    def create_id(digest: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"ledger:token:{digest}")

    @event(Issued)
    def __init__(
        self,
        digest: str,
        staff_id: str | None,
        client: str | None,
        scopes: list[str],
        label: str,
        occurred_at: datetime,
        by: str,
        expires_at: datetime | None = None,
    ) -> None:
        self.staff_id = staff_id
        self.client = client
        self.scopes = scopes
        self.label = label
        self.expires_at = expires_at
        self.revoked = False

    @event(Revoked)
    def revoke(self, reason: str, occurred_at: datetime, by: str) -> None:
        self.revoked = True


def refusal_id(reader: str, customer_id: str, occurred_at: datetime) -> UUID:
    """One refused read per reader, customer and hour of business time (UTC)."""
    hour = occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H")
    return uuid5(NAMESPACE_URL, f"ledger:refused-read:{reader}:{customer_id}:{hour}")


class FileRead(Aggregate):
    """One read (or refused read) of a customer's file: who, when, what, and whether allowed.

    Each allowed read is its own record. A refused one is recorded once per reader, customer
    and hour: the audit shows who tried, and a script refused in a loop cannot flood the log
    (or the audit's window) with one event per request.
    """

    @staticmethod
    def create_id(reader: str, customer_id: str, allowed: bool, occurred_at: datetime) -> UUID:
        return uuid4() if allowed else refusal_id(reader, customer_id, occurred_at)

    class Recorded(Started):
        reader: str
        customer_id: str
        what: str
        allowed: bool
        reason: str

    @event(Recorded)
    def __init__(
        self,
        reader: str,
        customer_id: str,
        what: str,
        allowed: bool,
        reason: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.reader = reader
        self.customer_id = customer_id
