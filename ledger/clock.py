"""Business time is an input; it must say which timezone it is in."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.errors import InvalidInput

# Business times the ledger reasons about: wide enough for any company's history and plans,
# narrow enough that "a year later" or "a rotation period before" stays a valid datetime.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def aware(at: datetime, name: str = "occurred_at") -> datetime:
    """Refuse naive times (a ledger compared across offices cannot guess the zone) and times
    outside the range it can reason about (year 1 at +05:00 is not even a datetime in UTC)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("naive_time", f"{name} must carry a timezone offset.", field=name)
    try:
        in_utc = at.astimezone(UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not EARLIEST <= in_utc < LATEST:
        raise InvalidInput(
            "time_out_of_range",
            f"{name} must lie between {EARLIEST.year} and {LATEST.year - 1}.",
            field=name,
        )
    return in_utc


def utcnow() -> datetime:
    return datetime.now(UTC)
