"""Read models written by an older release are rebuilt from the events when the ledger opens."""

from __future__ import annotations

import sqlite3

import psycopg

from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Role, Seniority
from ledger.settings import LedgerSettings
from projections.queries import customer_file
from projections.readmodels import ReadModels
from tests.clock import day
from tests.company import Company


def run_sql(store: LedgerSettings, statement: str) -> None:
    if store.database_url:
        with psycopg.connect(store.database_url, autocommit=True) as conn:
            conn.execute(statement)
    else:
        with sqlite3.connect(store.read_models_path) as conn:
            conn.execute(statement)


def test_a_table_missing_a_column_is_rebuilt_with_the_same_answers(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    co = Company(ledger)
    co.hire("rep", Role.SALES_REP, Seniority.SENIOR)
    co.hire("alloc", Role.ALLOCATION_TEAM)
    cid = co.customer("Acme")
    ledger.assign_customer(cid, co["rep"], day(0), co.by("alloc"))
    ledger.record_contact(cid, co["rep"], ContactKind.VISIT, ContactChannel.IN_PERSON, day(1), co.by("rep"), recorded_at=day(9))  # fmt: skip
    first = ReadModels(ledger)
    first.catch_up()
    with first.read() as tx:
        before = customer_file(tx, str(cid))
    first.close()
    # An older release's table: the contact table without the late flag.
    run_sql(store, "ALTER TABLE ledger_rm_contact DROP COLUMN late")
    reopened = ReadModels(ledger)
    with reopened.read() as tx:
        after = customer_file(tx, str(cid))
    reopened.close()
    assert [c["late"] for c in after["contacts"]] == [1]
    assert after == before
