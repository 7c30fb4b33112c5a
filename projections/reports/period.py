"""What every report is asked about: an instant, a period, a threshold, and the policy in force."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ledger.clock import utcnow
from ledger.policy import PolicyParams
from projections.schema import parse_ts, ts
from projections.store import Tx

Rows = list[dict[str, Any]]
Sections = dict[str, Rows]


@dataclass(frozen=True)
class Period:
    """`at`: the instant a due list or a holding is judged at; [start, end): the period counted.

    Defaults: `at` now, the period the twelve months before `at`.
    """

    at: datetime = field(default_factory=utcnow)
    start: datetime | None = None
    end: datetime | None = None
    days: int | None = None
    top: int = 20
    known_at: datetime | None = None

    @property
    def since(self) -> str:
        return ts(self.start or self.at - timedelta(days=365))

    @property
    def until(self) -> str:
        return ts(self.end or self.at)

    @property
    def bounds(self) -> dict[str, str]:
        return {"since": self.since, "until": self.until, "at": ts(self.at)}


def policy_at(tx: Tx, at: datetime) -> PolicyParams:
    """The policy version in force at business time `at` (defaults before any adoption)."""
    row = tx.one(
        "SELECT params FROM ledger_rm_policy WHERE effective_at<=:at ORDER BY version DESC LIMIT 1",
        {"at": ts(at)},
    )
    return PolicyParams(**json.loads(row["params"])) if row else PolicyParams()


def days_between(earlier: str, later: datetime) -> int:
    return (later - parse_ts(earlier)).days
