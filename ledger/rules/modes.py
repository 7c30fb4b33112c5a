"""Rule modes: a rule in `refuse` mode refuses; in `exception` mode a manager may let it pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger.errors import RuleViolation


@dataclass(frozen=True)
class Grant:
    """A manager's recorded exception: who approved it (their own recorded act), and why."""

    by: str
    reason: str
    grant_id: str | None = None  # the approved request it comes from, used up by the move


def apply(
    checks: list[Callable[[], None]], modes: Callable[[str], str], grant: Grant | None
) -> list[dict[str, Any]]:
    """Run every check; return the exceptions granted, raise the first refusal."""
    granted: list[dict[str, Any]] = []
    for check in checks:
        try:
            check()
        except RuleViolation as violation:
            rule = str(violation.params.get("rule", ""))
            if grant is None or modes(rule) != "exception":
                raise
            entry = {"rule": rule, "code": violation.code, "by": grant.by, "reason": grant.reason}
            if grant.grant_id is not None:
                entry["grant_id"] = grant.grant_id
            granted.append(entry)
    return granted
