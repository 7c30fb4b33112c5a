"""Deferred read-model writes read back as if written at once, on SQLite and PostgreSQL.

Handlers hand appends and "move a time forward" updates to the transaction, which sends them in
batches (`projections/store.py`); a later statement touching the same table and column must see
them, also inside PostgreSQL's pipeline.
"""

from __future__ import annotations

from projections.readmodels import ReadModels
from projections.store import Tx
from tests.pages import CUSTOMER, write_page

GRADE = "INSERT INTO ledger_rm_grade VALUES (:p, :c, 'A', :at, :at, 'tester', 'why', 1)"
EARLY, LATE, LATER = "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"  # fmt: skip


def test_deferred_rows_and_times_are_seen_by_the_next_statement_that_reads_them(models: ReadModels) -> None:  # fmt: skip
    seen: dict[str, object] = {}

    def writer(tx: Tx) -> None:
        tx.execute(CUSTOMER, {"c": "c1", "name": "Acme", "at": EARLY})
        for position in (1, 2, 3):
            tx.insert_later("ledger_rm_grade", GRADE, {"p": position, "c": "c1", "at": EARLY})
        tx.raise_later("ledger_rm_customer", "customer_id", "c1", "updated_at", LATER)
        tx.raise_later("ledger_rm_customer", "customer_id", "c1", "updated_at", LATE)  # earlier
        tx.raise_later("ledger_rm_customer", "customer_id", "c1", "last_contact_at", LATE)
        # Reads no deferred column: nothing needs sending yet, and the row is there.
        seen["name"] = tx.one("SELECT name FROM ledger_rm_customer WHERE customer_id='c1'")
        seen["grades"] = tx.all("SELECT position FROM ledger_rm_grade ORDER BY position")
        seen["times"] = tx.one(
            "SELECT updated_at, last_contact_at FROM ledger_rm_customer WHERE customer_id='c1'"
        )
        tx.insert_later("ledger_rm_grade", GRADE, {"p": 4, "c": "c1", "at": EARLY})  # at commit

    write_page(models, writer)
    assert seen["name"] == {"name": "Acme"}
    assert seen["grades"] == [{"position": 1}, {"position": 2}, {"position": 3}]
    assert seen["times"] == {"updated_at": LATER, "last_contact_at": LATE}
    with models.read() as tx:
        assert [r["position"] for r in tx.all("SELECT position FROM ledger_rm_grade ORDER BY position")] == [1, 2, 3, 4]  # fmt: skip


def test_a_statement_that_overwrites_a_deferred_column_comes_after_it(models: ReadModels) -> None:
    def writer(tx: Tx) -> None:
        tx.execute(CUSTOMER, {"c": "c1", "name": "Acme", "at": EARLY})
        tx.raise_later("ledger_rm_customer", "customer_id", "c1", "last_holder_contact_at", LATE)
        tx.execute(
            "UPDATE ledger_rm_customer SET last_holder_contact_at=NULL WHERE customer_id='c1'"
        )

    write_page(models, writer)
    with models.read() as tx:
        row = tx.one("SELECT last_holder_contact_at FROM ledger_rm_customer WHERE customer_id='c1'")
    assert row == {"last_holder_contact_at": None}  # sent first, then overwritten, as written
