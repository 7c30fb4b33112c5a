"""A test clock: business time is an input, so tests say exactly when things happen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)
