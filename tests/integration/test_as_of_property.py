"""Property (issue 20, item 5): an answer as of T holds only what existed at T, over random
histories on both stores: the holders report, the dashboard's counts, the concentration per
rep, and every customer row of the due and at-risk lists."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.web.readings import customer_counts
from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source, Tier, TransferReason
from ledger.errors import LedgerError
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from tests.clock import T0, day
from tests.integration.test_read_models_property import fresh_settings

SENIOR = Seniority.SENIOR

event = st.tuples(
    st.sampled_from(("register", "join", "assign", "release", "grade")),
    st.integers(0, 3),  # which customer or rep
    st.integers(1, 60),  # business day, in any order: facts may be recorded late
)


@dataclass
class History:
    """What the random history made, and when: the model the answers are judged against."""

    customers: dict[int, tuple[UUID, datetime]] = field(default_factory=dict)
    reps: dict[int, tuple[UUID, datetime]] = field(default_factory=dict)
    holders: dict[UUID, list[tuple[datetime, UUID | None]]] = field(default_factory=dict)

    def holder_at(self, customer: UUID, at: datetime) -> UUID | None:
        held = [holder for since, holder in self.holders.get(customer, []) if since <= at]
        return held[-1] if held else None


def build(ledger: OwnershipLedger, events: list[tuple[str, int, int]]) -> History:
    """Apply a random history in business order; a refused command changes nothing."""
    boss = str(ledger.join_staff("boss", Role.MANAGER, None, "north", "n", T0).id)
    made = History()
    for action, which, n in sorted(events, key=lambda e: e[2]):
        at = day(n)
        customer = made.customers.get(which, (None, at))[0]
        try:
            if action == "register" and customer is None:
                cid = ledger.register_customer(f"C{which}", Source.IMPORTED, at).id
                made.customers[which] = (cid, at)
            elif action == "join" and which not in made.reps:
                rep = ledger.join_staff(f"R{which}", Role.SALES_REP, SENIOR, "north", "n", at).id
                made.reps[which] = (rep, at)
            elif action == "assign" and customer is not None and made.reps:
                rep = made.reps[min(made.reps, key=lambda r: (r - which) % 4)][0]
                ledger.assign_customer(customer, rep, at, boss)
                made.holders.setdefault(customer, []).append((at, rep))
            elif action == "release" and customer is not None:
                ledger.release_customer(customer, TransferReason.REBALANCE, at, boss)
                made.holders.setdefault(customer, []).append((at, None))
            elif action == "grade" and customer is not None:
                ledger.grade_customer(customer, Tier.B, "graded", at, boss, {"revenue": 1})
        except LedgerError:
            continue
    return made


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(event, min_size=1, max_size=16), when=st.integers(0, 61))
def test_an_answer_as_of_t_holds_only_what_existed_at_t(
    kind: str, request: pytest.FixtureRequest, events: list[tuple[str, int, int]], when: int
) -> None:
    store = fresh_settings(kind, request)
    ledger = OwnershipLedger(store)
    models = ReadModels(ledger)
    try:
        made = build(ledger, events)
        at = day(when)
        models.catch_up()
        existing = {str(cid) for cid, since in made.customers.values() if since <= at}
        staff = {str(sid) for sid, since in made.reps.values() if since <= at}
        period = Period(at=at, start=day(0))
        with models.read() as tx:
            holders = REPORTS["holders"](tx, period)["holders"]
            counts = customer_counts(tx, at)
            per_rep = REPORTS["concentration"](tx, period)["per_rep"]
            due = REPORTS["due"](tx, period)
            risky = REPORTS["control"](tx, period)["at_risk"]
        assert {row["customer_id"] for row in holders} == existing
        for row in holders:
            then = made.holder_at(UUID(row["customer_id"]), at)
            assert row["holder_id"] == (str(then) if then else None), row
        held = sum(1 for row in holders if row["holder_id"])
        assert counts == {"customers": len(existing), "held": held, "pool": len(existing) - held}
        assert {row["staff_id"] for row in per_rep} == staff
        assert sum(row["total"] for row in per_rep) == held
        listed = [r for rows in due.values() for r in rows if r.get("customer_id")] + risky
        assert {r["customer_id"] for r in listed} <= existing
    finally:
        models.close()
        ledger.close()
        shutil.rmtree(store.data_dir, ignore_errors=True)
