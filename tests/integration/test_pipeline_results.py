"""A read-model page's statements get their own results, however the server's answers arrive.

PostgreSQL pages are written in psycopg's pipeline mode. The server sends its answers when its
output buffer fills, so the answer to a handler's UPDATE can come in while a later statement is
being sent; a cursor carrying both then files the UPDATE's answer as the later statement's, and
fetching rows from it fails. CI hit this once in a catch-up (the tracking upsert fetched
"UPDATE 1"). These tests make the answer arrive at that moment on purpose.
"""

from __future__ import annotations

import select

from projections.readmodels import ReadModels
from projections.store import Tx
from tests.pages import CUSTOMER, write_page

RENAME = "UPDATE ledger_rm_customer SET name=:name WHERE customer_id=:c"
AT = "2026-01-01T00:00:00+00:00"


def answers_arrive(tx: Tx) -> None:
    """On PostgreSQL, have the server answer everything sent so far and wait until it has."""
    if not tx.postgres:
        return  # SQLite runs each statement at once: nothing is in flight
    pgconn = tx.cursor.connection.pgconn
    pgconn.send_flush_request()
    while pgconn.flush():
        pass
    readable, _, _ = select.select([pgconn.socket], [], [], 10)
    assert readable, "the server did not answer within 10 s"


def test_the_tracking_upsert_is_not_answered_by_an_earlier_update(models: ReadModels) -> None:
    def writer(tx: Tx) -> None:
        tx.execute(CUSTOMER, {"c": "c1", "name": "Acme", "at": AT})
        tx.execute(RENAME, {"c": "c1", "name": "Acme Ltd"})
        answers_arrive(tx)  # the UPDATE's answer is in before the page's last statement goes

    position = write_page(models, writer)
    assert models.position() == position
    with models.read() as tx:
        assert tx.one("SELECT name FROM ledger_rm_customer") == {"name": "Acme Ltd"}


def test_a_select_after_an_answered_update_reads_its_own_rows(models: ReadModels) -> None:
    seen: list[object] = []

    def writer(tx: Tx) -> None:
        tx.execute(CUSTOMER, {"c": "c1", "name": "Acme", "at": AT})
        tx.execute(RENAME, {"c": "c1", "name": "Acme Ltd"})
        answers_arrive(tx)
        seen.append(tx.one("SELECT name FROM ledger_rm_customer WHERE customer_id=:c", {"c": "c1"}))
        tx.execute(RENAME, {"c": "c1", "name": "Acme Group"})
        answers_arrive(tx)
        seen.append(tx.all("SELECT customer_id, name FROM ledger_rm_customer"))

    write_page(models, writer)
    assert seen == [{"name": "Acme Ltd"}, [{"customer_id": "c1", "name": "Acme Group"}]]
