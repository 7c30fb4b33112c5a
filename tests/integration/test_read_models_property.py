"""Property: read models built bit by bit equal a full rebuild, after any sequence of commands."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Tier, TransferReason
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from projections import queries
from projections.readmodels import ReadModels
from tests.clock import day
from tests.company import Company, standard_company
from tests.integration.test_read_models import dump

REPS = ("senior", "mid", "newbie")
step = st.tuples(
    st.sampled_from(("assign", "reassign", "release", "contact", "catch_up")),
    st.integers(0, 1),  # which customer
    st.sampled_from(REPS),
    st.integers(1, 40),  # business day: later commands may be backdated
)


def run(company: Company, customers: list[str], models: ReadModels, steps: list[tuple[str, int, str, int]]) -> None:  # fmt: skip
    ledger, alloc = company.ledger, company.by("alloc")
    for action, which, rep, n in steps:
        cid, at = company[customers[which]], day(n)
        try:
            if action == "assign":
                ledger.assign_customer(cid, company[rep], at, alloc)
            elif action == "reassign":
                ledger.reassign_customer(cid, company[rep], TransferReason.REBALANCE, at, alloc)
            elif action == "release":
                ledger.release_customer(cid, TransferReason.REBALANCE, at, alloc)
            elif action == "contact":
                ledger.record_contact(cid, company[rep], ContactKind.CALL, ContactChannel.PRIVATE_PHONE, at, company.by(rep))  # fmt: skip
            else:
                models.catch_up()
        except LedgerError:
            continue  # a refused command stores nothing


def fresh_settings(kind: str, request: pytest.FixtureRequest) -> LedgerSettings:
    data_dir = Path(tempfile.mkdtemp(prefix="ledger-prop-"))
    if kind == "sqlite":
        return LedgerSettings(data_dir=data_dir, database_url=None)
    from tests.conftest import drop_all_tables

    url: str = request.getfixturevalue("postgres_url")
    drop_all_tables(url)
    return LedgerSettings(data_dir=data_dir, database_url=url)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_incremental_read_models_equal_a_full_rebuild(
    kind: str, request: pytest.FixtureRequest, steps: list[tuple[str, int, str, int]]
) -> None:
    store = fresh_settings(kind, request)
    ledger = OwnershipLedger(store)
    models = ReadModels(ledger)
    try:
        company = standard_company(ledger)
        customers = ["first", "second"]
        for name in customers:
            company.customer(name, Tier.C)
        run(company, customers, models, steps)
        models.catch_up()
        incremental = dump(models)
        for name in customers:
            with models.read() as tx:
                held = queries.holder_now(tx, str(company[name])).holder
                latest = queries.holder_as_of(tx, str(company[name]), day(1000))
            assert held == ledger.customer(company[name]).holder
            assert latest is not None and latest.holder == held
        models.rebuild()
        assert dump(models) == incremental
    finally:
        models.close()
        ledger.close()
        shutil.rmtree(store.data_dir, ignore_errors=True)
