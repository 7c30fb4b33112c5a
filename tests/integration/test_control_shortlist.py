"""The at-risk report ranks in SQL and scores only its shortlist in Python: same answers.

A seeded company where every score term varies (private channels, inbound asks, callbacks with
discrepancies, a leaving holder, tenures and silences at whole-day edges of a short rotation and
neglect policy), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    Role,
    TeamRole,
    Tier,
    TransferReason,
)
from projections.measures import WEIGHTS, risk_components, score_of
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from projections.reports.drift import risk_inputs, rough_slack, shortlist
from projections.reports.period import policy_at
from tests.clock import day
from tests.company import Company, standard_company

AT = day(40)
EVERYONE = 10_000  # a `top` past the number of held customers: the shortlist is everyone


@pytest.fixture
def company(ledger: OwnershipLedger) -> Company:
    firm = standard_company(ledger)
    firm.hire("caller", Role.CALLBACK)
    boss = firm.by("boss")
    ledger.adopt_policy(
        {"rotation_days": 12, "neglect_days": {"A": 3, "B": 5, "C": 7}},
        day(0),
        "short",
        day(0),
        boss,
    )
    rng = random.Random(5)
    reps = ["senior", "senior_s", "mid", "newbie"]
    alloc = firm.by("alloc")
    for n in range(36):
        cid = firm.customer(f"Customer {n % 9}", Tier.C)  # names repeat: ties by name and id
        holder = reps[n % 4]
        since = day(rng.randrange(1, 30)) + (timedelta() if n % 3 else timedelta(minutes=1))
        ledger.assign_customer(cid, firm[holder], since, alloc)
        serving = {holder}
        for k in range(rng.choice([0, 1, 2, 5, 6, 9])):
            who = holder if rng.random() < 0.6 else rng.choice(reps)
            if who not in serving:  # another rep contacts the customer as one of its team
                ledger.add_team_member(cid, firm[who], TeamRole.SERVICE, since, alloc)
                serving.add(who)
            at = since + timedelta(days=rng.randrange(0, 10), hours=rng.randrange(24))
            channel = rng.choice([ContactChannel.COMPANY_PHONE, ContactChannel.PRIVATE_PHONE])
            asked = rng.choice([None, None, "company", "Wang"])
            receipt = ledger.record_contact(cid, firm[who], ContactKind.CALL, channel, at, firm.by(who), asked_for=asked, recorded_at=at)  # fmt: skip
            if k % 2 == 0 and receipt.ref:
                outcome = rng.choice([CallbackOutcome.CONFIRMED, CallbackOutcome.DISCREPANCY])
                ledger.verify_contact(cid, receipt.ref, firm["caller"], outcome, at + timedelta(hours=1), firm.by("caller"), note="no such call")  # fmt: skip
        if n % 11 == 10:
            ledger.release_customer(cid, TransferReason.REBALANCE, day(39), alloc)
    ledger.announce_departure(firm["mid"], day(60), "moving", day(35), boss)
    return firm


def exact(models: ReadModels, top: int) -> list[tuple[str, float]]:
    """The ranking the report made before the shortlist: every held customer scored in Python."""
    with models.read() as tx:
        policy = policy_at(tx, AT)
        every = shortlist(tx, Period(at=AT, top=EVERYONE), policy)
    scored = [(score_of(risk_components(risk_inputs(c, policy, AT))), c) for c in every]
    scored.sort(key=lambda s: (-s[0], s[1]["name"]))
    return [(c["customer_id"], score) for score, c in scored[:top]]


def test_the_report_shows_what_scoring_every_held_customer_shows(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    models.catch_up()
    answers = {}
    for top in (1, 3, 8, 20, 40):
        with models.read() as tx:
            rows = REPORTS["control"](tx, Period(at=AT, top=top))["at_risk"]
        answers[top] = [(r["customer_id"], r["score"]) for r in rows]
        assert answers[top] == exact(models, top)
    assert len(answers[40]) == 33  # 36 customers, three released
    assert len({score for _, score in answers[40]}) > 10  # the scores do vary
    with models.read() as tx:
        assert REPORTS["control"](tx, Period(at=AT, top=0))["at_risk"] == []
        policy = policy_at(tx, AT)
        assert len(shortlist(tx, Period(at=AT, top=3), policy)) < 33  # Python scores fewer


def test_the_database_score_is_the_python_score_within_the_stated_slack(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    models.catch_up()
    with models.read() as tx:
        policy = policy_at(tx, AT)
        every = shortlist(tx, Period(at=AT, top=EVERYONE), policy)
    assert len(every) == 33
    slack = rough_slack(policy)
    assert slack == 0.05 + 10 / 12 + 5 / 3  # this policy's rotation and shortest neglect
    leaving = 0
    for c in every:
        inputs = risk_inputs(c, policy, AT)
        python = sum(WEIGHTS[name] * level for name, level in risk_components(inputs).items())
        assert abs(float(c["rough"]) - python) <= slack, (c, python)
        assert abs(float(c["rough"]) - python) < 1e-6 or c["held_since"][11:19] != AT.strftime(
            "%H:%M:%S"
        )
        leaving += inputs.holder_leaving
    assert leaving == 8  # the departing rep held nine; one was released
