"""A bulk catch-up drops the query-only indexes and builds them again, with the same answers."""

from __future__ import annotations

from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Tier
from projections.readmodels import ReadModels
from projections.schema import INDEXES, QUERY_ONLY_INDEXES, TABLES
from tests.clock import day
from tests.company import standard_company


def _indexes(models: ReadModels) -> set[str]:
    with models.read() as tx:
        if tx.postgres:
            rows = tx.all("SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE :p", {"p": "ledger_rm_%"})  # fmt: skip
        else:
            rows = tx.all("SELECT name FROM sqlite_master WHERE type='index' AND name LIKE :p", {"p": "ledger_rm_%"})  # fmt: skip
    return {r["name"] for r in rows}


def _dump(models: ReadModels) -> dict[str, list[tuple[str, ...]]]:
    with models.read() as tx:
        return {t: sorted(tuple(map(str, r.values())) for r in tx.all(f"SELECT * FROM {t}")) for t in TABLES}  # fmt: skip


def test_a_rebuild_drops_the_query_indexes_meanwhile_and_restores_them(ledger: OwnershipLedger, models: ReadModels) -> None:  # fmt: skip
    company = standard_company(ledger)
    cid = company.customer("Acme", Tier.B)
    ledger.assign_customer(cid, company["senior"], day(1), company.by("alloc"))
    ledger.record_contact(cid, company["senior"], ContactKind.VISIT, ContactChannel.IN_PERSON, day(2), company.by("senior"))  # fmt: skip
    models.catch_up()
    every = {i.split()[0] for i in INDEXES}
    assert every <= _indexes(models)
    before = _dump(models)
    with models.bulk():
        assert not set(QUERY_ONLY_INDEXES) & _indexes(models)
        assert every - set(QUERY_ONLY_INDEXES) <= _indexes(models)  # the handlers' own stay
    assert every <= _indexes(models)
    stats = models.rebuild()
    assert stats.events > 0
    assert every <= _indexes(models)
    assert _dump(models) == before
