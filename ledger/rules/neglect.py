"""Neglected customers return to the company: no contact by the holder for N days (per tier)."""

from __future__ import annotations

from datetime import datetime

from ledger.enums import Tier


def days_without_contact(last_contact: datetime | None, held_since: datetime, at: datetime) -> int:
    """Counted from the holder's last contact, or from when they took the customer."""
    return (at - max(filter(None, (last_contact, held_since)))).days


def is_neglected(
    tier: Tier | None,
    last_contact: datetime | None,
    held_since: datetime,
    at: datetime,
    neglect_days: dict[str, int],
) -> bool:
    limit = neglect_days[(tier or Tier.C).value]
    return days_without_contact(last_contact, held_since, at) >= limit
