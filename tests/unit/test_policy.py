from __future__ import annotations

from typing import Any

import pytest

from ledger.errors import InvalidInput
from ledger.policy import Policy, PolicyParams
from tests.clock import day


def test_the_seed_defaults_are_two_year_rotation_and_tier_to_seniority() -> None:
    params = PolicyParams()
    assert params.rotation_days == 730
    assert params.tier_seniority["A"] == ["senior"]
    assert params.tier_seniority["B"] == ["senior", "experienced"]
    assert params.tier_seniority["C"] == ["senior", "experienced", "new"]
    assert params.mode("tier_seniority") == "exception"
    assert params.mode("dispersion") == "refuse"


@pytest.mark.parametrize(
    ("data", "code", "key"),
    [
        ({"rotation_dayz": 3}, "policy_unknown_key", "rotation_dayz"),
        ({"rotation_days": "two years"}, "policy_bad_type", "rotation_days"),
        ({"rotation_days": True}, "policy_bad_type", "rotation_days"),
        ({"rotation_days": 0}, "policy_bad_value", "rotation_days"),
        ({"max_team_a_share": 1.5}, "policy_bad_value", "max_team_a_share"),
        ({"modes": {"tier_seniority": "maybe"}}, "policy_bad_value", "modes.tier_seniority"),
        ({"tier_seniority": {"D": ["senior"]}}, "policy_bad_value", "tier_seniority"),
        ({"neglect_days": {"A": 0}}, "policy_bad_value", "neglect_days.A"),
        ({"lead_weights": {"senior": -1}}, "policy_bad_value", "lead_weights.senior"),
        ({"modes": {"authority": "exception"}}, "policy_unknown_key", "modes.authority"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_offending_key(
    data: dict[str, Any], code: str, key: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        PolicyParams.from_dict(data)
    assert refused.value.code == code
    assert refused.value.params["key"] == key


def test_an_integer_is_accepted_where_a_share_is_expected() -> None:
    assert PolicyParams.from_dict({"max_team_a_share": 1}).max_team_a_share == 1


def test_the_policy_in_force_is_chosen_by_business_time() -> None:
    policy = Policy()
    policy.adopt(1, {**PolicyParams().to_dict(), "rotation_days": 500}, day(10), "", day(0), "m")
    policy.adopt(2, {**PolicyParams().to_dict(), "rotation_days": 400}, day(20), "", day(0), "m")
    assert policy.in_force(day(5)).version == 0
    assert policy.in_force(day(10)).params.rotation_days == 500
    assert policy.in_force(day(19)).version == 1
    assert policy.in_force(day(25)).params.rotation_days == 400


def test_a_partial_mapping_overrides_only_the_keys_it_names() -> None:
    params = PolicyParams.from_dict(
        {"neglect_days": {"A": 30}, "modes": {"dispersion": "exception"}}
    )
    assert params.neglect_days == {"A": 30, "B": 90, "C": 90}
    assert params.mode("dispersion") == "exception"
    assert params.mode("tier_seniority") == "exception"
