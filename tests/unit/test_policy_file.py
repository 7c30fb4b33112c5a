"""A candidate policy written as a file: TOML or JSON, keys checked before any rule reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.demo import DEMO_POLICY
from ledger.errors import InvalidInput
from ledger.policy import PolicyParams
from ledger.policyfile import parse_policy

DEMO = """
# the demo company's caps; every other key takes its default
max_customers_per_rep = 150
max_a_per_rep = 80

[lead_weights]
senior = 2
"""


def test_a_file_sets_its_keys_and_leaves_the_rest_at_the_defaults() -> None:
    policy = parse_policy(DEMO)
    assert policy.max_customers_per_rep == 150
    assert policy.max_a_per_rep == 80
    assert policy.lead_weights == {"senior": 2, "experienced": 1, "new": 1}
    assert policy.rotation_days == PolicyParams().rotation_days


def test_a_params_table_with_adoption_details_beside_it_reads_the_same() -> None:
    wrapped = 'reason = "tighter caps"\neffective_at = 2025-01-01T00:00:00Z\n[params]\nmax_a_per_rep = 5\n'
    flat = 'reason = "tighter caps"\nmax_a_per_rep = 5\n'
    assert parse_policy(wrapped) == parse_policy(flat) == PolicyParams(max_a_per_rep=5)


def test_json_reads_like_toml() -> None:
    as_json = '{"max_customers_per_rep": 150, "max_a_per_rep": 80, "lead_weights": {"senior": 2}}'
    assert parse_policy(as_json, "json") == parse_policy(DEMO)


@pytest.mark.parametrize(
    ("text", "code", "key"),
    [
        ("max_a_per_rep = ", "policy_bad_file", None),
        ("params = 3", "policy_bad_file", None),
        ("max_cap = 3", "policy_unknown_key", "max_cap"),
        ('max_a_per_rep = "eight"', "policy_bad_type", "max_a_per_rep"),
        ("max_a_per_rep = 0", "policy_bad_value", "max_a_per_rep"),
        ("[tier_seniority]\nA = 5", "policy_bad_value", "tier_seniority.A"),
        ('[tier_seniority]\nA = ["veteran"]', "policy_bad_value", "tier_seniority.A"),
        ("rotation_cooldown_days = 99999999999", "policy_bad_value", "rotation_cooldown_days"),
        ("[neglect_days]\nA = 40000", "policy_bad_value", "neglect_days.A"),
        ("max_team_a_share = nan", "policy_bad_value", "max_team_a_share"),
    ],
)
def test_a_file_the_rules_could_not_read_is_refused_with_the_key_at_fault(
    text: str, code: str, key: str | None
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_policy(text)
    assert refused.value.code == code
    assert refused.value.params.get("key") == key
    assert refused.value.message.endswith(".")


def test_the_shipped_demo_policy_file_is_the_policy_the_demo_adopts() -> None:
    shipped = Path(__file__).parents[2] / "docs" / "policies" / "demo.toml"
    assert parse_policy(shipped.read_text()) == PolicyParams.from_dict(DEMO_POLICY)
