"""Report arithmetic on known answers."""

from __future__ import annotations

import pytest

from projections.measures import RiskInputs, chi_square, gini, hhi, risk_score, top_share


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),
        ([0, 0], 0.0),
        ([5, 5, 5, 5], 0.0),
        ([0, 0, 0, 10], 0.75),  # one of four has everything: (n-1)/n
        ([1, 2, 3, 4], 0.25),
        ([0, 10], 0.5),
    ],
)
def test_gini_is_zero_when_equal_and_grows_with_inequality(
    values: list[float], expected: float
) -> None:
    assert gini(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [([], 0.0), ([7], 10_000.0), ([1, 1], 5_000.0), ([1, 1, 1, 1], 2_500.0), ([3, 1], 6_250.0)],
)
def test_hhi_is_the_sum_of_squared_percentage_shares(amounts: list[float], expected: float) -> None:
    assert hhi(amounts) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("amounts", "top", "expected"),
    [([5, 3, 2], 1, 0.5), ([5, 3, 2], 2, 0.8), ([1, 1], 5, 1.0), ([0, 0], 1, 0.0)],
)
def test_top_share_is_the_part_held_by_the_largest(
    amounts: list[float], top: int, expected: float
) -> None:
    assert top_share(amounts, top) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("observed", "expected", "statistic", "df", "p_value"),
    [
        ([10, 10, 10], [10, 10, 10], 0.0, 2, 1.0),
        ([20, 10], [15, 15], 10 / 3, 1, 0.067889),
        ([30, 0, 0], [10, 10, 10], 60.0, 2, 9.357623e-14),
        ([4, 6], [5, 5], 0.4, 1, 0.527089),
        ([3, 0], [3, 0], 0.0, 0, 1.0),  # a rep expecting nothing is not a cell
    ],
)
def test_chi_square_against_expected_counts(
    observed: list[float], expected: list[float], statistic: float, df: int, p_value: float
) -> None:
    test = chi_square(observed, expected)
    assert test.statistic == pytest.approx(statistic)
    assert test.df == df
    assert test.p_value == pytest.approx(p_value, rel=1e-4)


def inputs(**changes: object) -> RiskInputs:
    calm = dict(
        contacts=10, top_share=0.3, named_person_share=None, distinct_staff=4,
        verified_share=1.0, discrepancy_rate=0.0, private_share=0.0, tenure_days=0,
        rotation_days=730, days_since_contact=0, neglect_days=90, holder_leaving=False,
    )  # fmt: skip
    return RiskInputs(**{**calm, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "score", "reasons"),
    [
        ({}, 6.0, []),
        (
            {"top_share": 1.0, "distinct_staff": 1},
            35.0,
            ["100% of contacts by one person", "only 1 company staff in contact in 12 months"],
        ),
        ({"holder_leaving": True}, 16.0, ["the holder has announced departure"]),
        ({"tenure_days": 365}, 11.0, ["held 365 days against a rotation period of 730"]),
        (
            {"contacts": 1, "top_share": 1.0, "verified_share": 0.0},
            6.0,
            [],
        ),  # thin evidence: 20*0.2 + 10*0.2
        (
            {"named_person_share": 0.5, "private_share": 1.0},
            21.0,
            [
                "100% of contacts on private channels",
                "50% of inbound contacts asked for a named person",
            ],
        ),
    ],
)
def test_the_risk_score_weighs_each_documented_signal(
    changes: dict[str, object], score: float, reasons: list[str]
) -> None:
    assert risk_score(inputs(**changes)) == (score, reasons)


def test_the_risk_score_is_100_when_every_signal_is_at_its_worst() -> None:
    worst = inputs(
        contacts=9, top_share=1.0, named_person_share=1.0, distinct_staff=1, verified_share=0.0,
        discrepancy_rate=1.0, private_share=1.0, tenure_days=900, days_since_contact=200,
        holder_leaving=True,
    )  # fmt: skip
    assert risk_score(worst)[0] == 100.0
