"""A repeated request is answered from the record saved with its first execution."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import LedgerError


class IdempotencyRecord(Aggregate):
    """Saved in the same transaction as the command's events: exactly once, restart or not."""

    class Recorded(Aggregate.Created):
        key: str
        fingerprint: str
        receipt: dict[str, Any]
        occurred_at: datetime

    @staticmethod
    def create_id(key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"ledger:idempotency:{key}")

    @event(Recorded)
    def __init__(
        self, key: str, fingerprint: str, receipt: dict[str, Any], occurred_at: datetime
    ) -> None:
        self.key = key
        self.fingerprint = fingerprint
        self.receipt = receipt


class Replayed(LedgerError):
    """Not an error for the caller: the command already ran; here is its first answer."""

    kind = "replayed"

    def __init__(self, receipt: dict[str, Any]) -> None:
        super().__init__("replayed", "This request was already carried out.", **receipt)
        self.receipt = receipt
