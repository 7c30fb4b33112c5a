"""What every ledger event carries beside the library's recording `timestamp`."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate


class Fact(Aggregate.Event):
    """A business fact: when it happened (`occurred_at`, may be in the past) and who did it."""

    occurred_at: datetime
    by: str


class Started(Aggregate.Created):
    """The first fact of an aggregate."""

    occurred_at: datetime
    by: str
