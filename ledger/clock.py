"""Business time is an input; it must say which timezone it is in."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.errors import InvalidInput


def aware(at: datetime, name: str = "occurred_at") -> datetime:
    """Refuse naive times: a ledger compared across offices cannot guess the zone."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("naive_time", f"{name} must carry a timezone offset.", field=name)
    return at.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
