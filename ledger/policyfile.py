"""A policy written down as a file (TOML or JSON): parsed and checked before any rule reads it."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from ledger.enums import Seniority
from ledger.errors import InvalidInput
from ledger.policy import PolicyParams

ADOPTION_KEYS = ("reason", "effective_at")  # an adoption file may carry these beside the params
MAX_DAYS = 36_500
DAY_KEYS = ("rotation_days", "rotation_cooldown_days", "neglect_protection_days", "late_entry_days")


def parse_policy(text: str, kind: str = "toml") -> PolicyParams:
    """Every rule parameter from a file; keys it leaves out take the defaults, as on adoption.

    The parameters are the file's top level or its `[params]` table.
    """
    document = _load(text, kind)
    params = document.get("params", document)
    if not isinstance(params, dict):
        raise InvalidInput(
            "policy_bad_file", "A policy file's `params` must be a table of rule parameters."
        )
    if params is document:
        params = {k: v for k, v in document.items() if k not in ADOPTION_KEYS}
    return checked_policy(params)


def checked_policy(params: dict[str, Any]) -> PolicyParams:
    """`PolicyParams.from_dict`, plus the checks that keep a candidate from breaking a rule."""
    policy = PolicyParams.from_dict(params)
    check_usable(policy)
    return policy


def check_usable(policy: PolicyParams) -> None:
    """Seniorities the rules know, and day counts a calendar can hold."""
    seniorities = {s.value for s in Seniority}
    for tier, allowed in policy.tier_seniority.items():
        if not isinstance(allowed, list) or not all(
            isinstance(a, str) and a in seniorities for a in allowed
        ):
            raise InvalidInput(
                "policy_bad_value",
                f"Policy 'tier_seniority.{tier}' must be a list of seniorities "
                f"({', '.join(sorted(seniorities))}).",
                key=f"tier_seniority.{tier}",
            )
    days = {key: getattr(policy, key) for key in DAY_KEYS}
    days |= {f"neglect_days.{tier}": n for tier, n in policy.neglect_days.items()}
    for key, value in days.items():
        if not 0 <= value <= MAX_DAYS:
            raise InvalidInput(
                "policy_bad_value",
                f"Policy '{key}' must be between 0 and {MAX_DAYS} days, not {value}.",
                key=key,
            )


def _load(text: str, kind: str) -> dict[str, Any]:
    try:
        document = json.loads(text) if kind == "json" else tomllib.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(
            "policy_bad_file",
            f"The policy is not valid {kind.upper()}: {error}.",
            format=kind,
        ) from None
    if not isinstance(document, dict):
        raise InvalidInput("policy_bad_file", "A policy file must be a table of rule parameters.")
    return document
