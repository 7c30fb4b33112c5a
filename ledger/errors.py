"""The one error family the ledger raises: a stable code, a sentence, and the numbers behind it."""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """A refused command; nothing was stored."""

    kind = "rule"

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "params": self.params}


class RuleViolation(LedgerError):
    """A command that breaks a company rule."""


class InvalidInput(LedgerError):
    """A command whose shape or values make no sense (a naive time, a bad score)."""

    kind = "input"


class AccessDenied(LedgerError):
    """A read or action outside the person's permission; the attempt itself is recorded."""

    kind = "forbidden"


class NotFound(LedgerError):
    """A command naming a customer, staff member or record the ledger does not know."""

    kind = "not_found"


class ConcurrencyConflict(LedgerError):
    """Another writer kept changing the same aggregates; the command gave up after retrying."""

    kind = "conflict"


class StaleVersion(LedgerError):
    """The caller decided on an older version of the record than the one stored (If-Match)."""

    kind = "stale"
