"""On PostgreSQL, events become visible in notification-id order, so no follower skips one.

A writer holding an uncommitted insert (id n) must keep the next writer (id n+1) waiting: were
n+1 visible first, the read models and other processes' cache checks would move past n.
"""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Source
from ledger.settings import LedgerSettings
from tests.clock import T0


def test_a_second_writer_waits_until_the_first_commits(tmp_path: Path, request: pytest.FixtureRequest) -> None:  # fmt: skip
    from tests.conftest import drop_all_tables

    url: str = request.getfixturevalue("postgres_url")
    drop_all_tables(url)
    ledger = OwnershipLedger(LedgerSettings(data_dir=tmp_path, database_url=url))
    recorder = ledger.recorder
    before = ledger.event_count()
    first = ([uuid4()], [1], ["tests:Held"], [b"{}"])
    second_done = threading.Event()

    def second_writer() -> None:
        ledger.register_customer("later", Source.IMPORTED, T0)
        second_done.set()

    with recorder.datastore.get_connection() as conn, conn.transaction():  # type: ignore[attr-defined]
        conn.execute(recorder.sql_invoke_pg_function_insert_events, first)  # type: ignore[attr-defined]
        writer = threading.Thread(target=second_writer)
        writer.start()
        assert not second_done.wait(0.5), "the second insert committed past an uncommitted one"
        with psycopg.connect(url, autocommit=True) as reader:
            row = reader.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
        assert row is not None and (row[0] or 0) == before  # nothing newer is visible yet
    writer.join(timeout=10)
    assert second_done.is_set()
    ids = [n.id for n in recorder.select_notifications(start=before, limit=10, inclusive_of_start=False)]  # fmt: skip
    assert len(ids) == 2 and ids == sorted(ids)
    ledger.close()
