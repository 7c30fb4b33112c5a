"""The policy file parser answers any input with a policy or a clear `InvalidInput`, never a crash."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import InvalidInput
from ledger.policy import PolicyParams
from ledger.policyfile import parse_policy

KEYS = [*PolicyParams().to_dict(), "params", "reason", "rotation_dayz", "modes"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True),
    st.text(max_size=20),
)  # fmt: skip
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["A", "B", "C", "senior", "dispersion", "x"]), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def outcome(text: str, kind: str) -> str:
    try:
        policy = parse_policy(text, kind)
    except InvalidInput as refusal:
        assert refusal.code.startswith("policy_") and refusal.message
        return refusal.code
    assert isinstance(policy, PolicyParams)
    PolicyParams.from_dict(policy.to_dict())  # what was accepted survives a round trip
    return "accepted"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
def test_any_json_document_is_accepted_or_refused_with_a_policy_code(doc: dict[str, Any]) -> None:
    outcome(json.dumps(doc), "json")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_as_toml_is_accepted_or_refused_with_a_policy_code(text: str) -> None:
    outcome(text, "toml")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(KEYS), VALUES)
def test_one_key_toml_files_never_crash_the_parser(key: str, value: Any) -> None:
    outcome(f"{key} = {json.dumps(value)}\n", "toml")


def test_a_bad_key_is_named_and_a_good_file_is_accepted() -> None:
    assert outcome("rotation_dayz = 3\n", "toml") == "policy_unknown_key"
    good = parse_policy("max_a_per_rep = 5\n[modes]\ndispersion = 'exception'\n")
    assert good.max_a_per_rep == 5 and good.mode("dispersion") == "exception"
