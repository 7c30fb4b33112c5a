"""Versioned company policy: the numbers and modes every rule reads at an event's business time."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.errors import InvalidInput
from ledger.events import Fact

RULE_MODES = ("refuse", "exception")
EXCEPTABLE_RULES = ("tier_seniority", "dispersion", "rotation_cooldown", "neglect_protection")


def _default_tier_seniority() -> dict[str, list[str]]:
    return {"A": ["senior"], "B": ["senior", "experienced"], "C": ["senior", "experienced", "new"]}


def _default_modes() -> dict[str, str]:
    return {
        "tier_seniority": "exception",
        "dispersion": "refuse",
        "rotation_cooldown": "refuse",
        "neglect_protection": "refuse",
    }


def _default_lead_weights() -> dict[str, int]:
    return {"senior": 1, "experienced": 1, "new": 1}


def _default_neglect_days() -> dict[str, int]:
    return {"A": 90, "B": 90, "C": 90}


@dataclass(frozen=True)
class PolicyParams:
    """Rule parameters. Seed facts: tiers A/B/C, tier to seniority, rotation "e.g. two years".

    Every other number is a documented company choice (SEED-RULES section 4).
    """

    rotation_days: int = 730
    rotation_cooldown_days: int = 365
    tier_seniority: dict[str, list[str]] = field(default_factory=_default_tier_seniority)
    modes: dict[str, str] = field(default_factory=_default_modes)
    max_customers_per_rep: int = 60
    max_a_per_rep: int = 8
    max_team_a_share: float = 0.40
    team_share_min_base: int = 20
    lead_weights: dict[str, int] = field(default_factory=_default_lead_weights)
    neglect_days: dict[str, int] = field(default_factory=_default_neglect_days)
    neglect_protection_days: int = 30
    late_entry_days: int = 7
    complaint_reply_hours: int = 24

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def mode(self, rule: str) -> str:
        return self.modes.get(rule, "refuse")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyParams:
        """Validate every key so a bad policy file is refused with the key that is wrong."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        defaults = cls()
        for key, value in data.items():
            if key not in known:
                raise InvalidInput("policy_unknown_key", f"Unknown policy key '{key}'.", key=key)
            _check_type(key, value, getattr(defaults, key))
        merged: dict[str, Any] = {
            key: {**getattr(defaults, key), **value} if isinstance(value, dict) else value
            for key, value in data.items()
        }
        params = dataclasses.replace(defaults, **merged)
        params.validate()
        return params

    def validate(self) -> None:
        for key in ("rotation_days", "max_customers_per_rep", "max_a_per_rep"):
            if getattr(self, key) <= 0:
                raise InvalidInput("policy_bad_value", f"Policy '{key}' must be positive.", key=key)
        _check_mapping("neglect_days", self.neglect_days, {"A", "B", "C"}, minimum=1)
        _check_mapping(
            "lead_weights", self.lead_weights, {"senior", "experienced", "new"}, minimum=0
        )
        if not 0 < self.max_team_a_share <= 1:
            raise InvalidInput(
                "policy_bad_value",
                "Policy 'max_team_a_share' must be in (0, 1].",
                key="max_team_a_share",
            )
        for rule, mode in self.modes.items():
            if rule not in EXCEPTABLE_RULES:
                raise InvalidInput(
                    "policy_unknown_key",
                    f"Policy 'modes.{rule}' names no rule with a mode; rules with modes are "
                    f"{', '.join(EXCEPTABLE_RULES)}.",
                    key=f"modes.{rule}",
                )
            if mode not in RULE_MODES:
                raise InvalidInput(
                    "policy_bad_value",
                    f"Policy 'modes.{rule}' must be one of {', '.join(RULE_MODES)}, not '{mode}'.",
                    key=f"modes.{rule}",
                )
        if set(self.tier_seniority) != {"A", "B", "C"}:
            raise InvalidInput(
                "policy_bad_value",
                "Policy 'tier_seniority' must name tiers A, B and C.",
                key="tier_seniority",
            )


def _check_mapping(key: str, mapping: dict[str, int], keys: set[str], minimum: int) -> None:
    if set(mapping) != keys:
        raise InvalidInput(
            "policy_bad_value",
            f"Policy '{key}' must name exactly {', '.join(sorted(keys))}.",
            key=key,
        )
    for name, value in mapping.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InvalidInput(
                "policy_bad_value",
                f"Policy '{key}.{name}' must be a whole number of at least {minimum}.",
                key=f"{key}.{name}",
            )


def _check_type(key: str, value: Any, default: Any) -> None:
    expected: type | tuple[type, ...] = (
        (int, float) if isinstance(default, float) else type(default)
    )
    if isinstance(value, bool) or not isinstance(value, expected):
        raise InvalidInput(
            "policy_bad_type",
            f"Policy '{key}' must be {type(default).__name__}, not {type(value).__name__}.",
            key=key,
        )


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    effective_at: datetime | None
    params: PolicyParams


DEFAULT_POLICY = PolicyVersion(version=0, effective_at=None, params=PolicyParams())


class Policy(Aggregate):
    """The company's one policy, versioned: rules use the version in force at business time."""

    class Opened(Aggregate.Created):
        pass

    class Adopted(Fact):
        version: int
        params: dict[str, Any]
        effective_at: datetime
        reason: str

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "ledger:policy")

    @event(Opened)
    def __init__(self) -> None:
        self.versions: list[dict[str, Any]] = []

    @event(Adopted)
    def adopt(
        self,
        version: int,
        params: dict[str, Any],
        effective_at: datetime,
        reason: str,
        occurred_at: datetime,
        by: str,
    ) -> None:
        self.versions.append({"version": version, "effective_at": effective_at, "params": params})

    @property
    def next_version(self) -> int:
        return len(self.versions) + 1

    def in_force(self, at: datetime) -> PolicyVersion:
        chosen = DEFAULT_POLICY
        for v in self.versions:
            if v["effective_at"] <= at:
                chosen = PolicyVersion(v["version"], v["effective_at"], PolicyParams(**v["params"]))
        return chosen
