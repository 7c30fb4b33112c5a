"""Report arithmetic as pure functions: inequality, concentration, fit to weights, drift risk.

Definitions are in docs/REPORTS.md; each function is tested on known answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative amounts: 0 when equal, (n-1)/n when one has all."""
    n, total = len(values), float(sum(values))
    if n == 0 or total == 0:
        return 0.0
    ranked = sorted(values)
    weighted = sum((i + 1) * v for i, v in enumerate(ranked))
    return (2 * weighted) / (n * total) - (n + 1) / n


def hhi(amounts: Sequence[float]) -> float:
    """Herfindahl-Hirschman index on a 0-10,000 scale: the sum of squared percentage shares."""
    total = float(sum(amounts))
    if total == 0:
        return 0.0
    return sum((100 * a / total) ** 2 for a in amounts)


def top_share(amounts: Sequence[float], top: int) -> float:
    """The share of the total held by the `top` largest amounts."""
    total = float(sum(amounts))
    return sum(sorted(amounts, reverse=True)[:top]) / total if total else 0.0


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    df: int
    p_value: float


def chi_square(observed: Sequence[float], expected: Sequence[float]) -> ChiSquare:
    """Pearson's test of observed counts against expected counts (cells expecting 0 skipped)."""
    cells = [(o, e) for o, e in zip(observed, expected, strict=True) if e > 0]
    if len(cells) < 2:
        return ChiSquare(0.0, 0, 1.0)
    statistic = sum((o - e) ** 2 / e for o, e in cells)
    df = len(cells) - 1
    from scipy.stats import chi2  # loaded on the first fairness report, not at start-up

    return ChiSquare(statistic, df, float(chi2.sf(statistic, df)))


@dataclass(frozen=True)
class RiskInputs:
    """What the ledger knows about one customer's drift from company to person."""

    contacts: int
    top_share: float
    named_person_share: float | None
    distinct_staff: int
    verified_share: float
    discrepancy_rate: float
    private_share: float
    tenure_days: int
    rotation_days: int
    days_since_contact: int
    neglect_days: int
    holder_leaving: bool


WEIGHTS = {
    "single_threaded": 20,
    "named_person": 10,
    "few_staff": 15,
    "unverified": 10,
    "discrepancies": 10,
    "private_channels": 10,
    "long_tenure": 10,
    "no_recent_contact": 5,
    "holder_leaving": 10,
}
REASONS = {
    "single_threaded": "{top_share:.0%} of contacts by one person",
    "named_person": "{named_person_share:.0%} of inbound contacts asked for a named person",
    "few_staff": "only {distinct_staff} company staff in contact in 12 months",
    "unverified": "{verified_share:.0%} of contacts verified by callback",
    "discrepancies": "callbacks found discrepancies in {discrepancy_rate:.0%} of verified contacts",
    "private_channels": "{private_share:.0%} of contacts on private channels",
    "long_tenure": "held {tenure_days} days against a rotation period of {rotation_days}",
    "no_recent_contact": "no contact for {days_since_contact} days",
    "holder_leaving": "the holder has announced departure",
}


def risk_components(r: RiskInputs) -> dict[str, float]:
    """Each signal scaled to 0..1 (1 = the customer is turning into one person's resource)."""
    evidence = min(1.0, r.contacts / 5)  # a share of one or two contacts says little
    return {
        "single_threaded": r.top_share * evidence,
        "named_person": r.named_person_share or 0.0,
        "few_staff": {0: 1.0, 1: 1.0, 2: 0.5}.get(r.distinct_staff, 0.0),
        "unverified": (1 - r.verified_share) * evidence,
        "discrepancies": r.discrepancy_rate,
        "private_channels": r.private_share,
        "long_tenure": min(1.0, r.tenure_days / r.rotation_days) if r.rotation_days else 0.0,
        "no_recent_contact": min(1.0, r.days_since_contact / r.neglect_days)
        if r.neglect_days
        else 0.0,
        "holder_leaving": 1.0 if r.holder_leaving else 0.0,
    }


def risk_score(r: RiskInputs) -> tuple[float, list[str]]:
    """Weighted sum of the components on 0..100, and the reasons that scored at least half."""
    components = risk_components(r)
    return score_of(components), reasons_of(r, components)


def score_of(components: dict[str, float]) -> float:
    return round(sum(WEIGHTS[name] * level for name, level in components.items()), 1)


def reasons_of(r: RiskInputs, components: dict[str, float]) -> list[str]:
    """The sentences, written only for the customers a report shows (formatting is the cost)."""
    facts = vars(r)
    return [
        REASONS[name].format(**facts)
        for name, level in sorted(components.items(), key=lambda kv: -WEIGHTS[kv[0]] * kv[1])
        if level >= 0.5
    ]
