"""Tamper evidence on both stores: the hash chain names the first broken link, and the
events tables refuse UPDATE and DELETE while their guards are in place."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source
from ledger.settings import LedgerSettings
from projections.chain import ChainHead, catch_up, chain_head, verify
from projections.guard import install_guards, unguarded_tables
from tests.clock import T0, day
from tests.integration.test_import import blue_sun_month


def _events_table(ledger: OwnershipLedger) -> str:
    return str(ledger.recorder.events_table_name)  # type: ignore[attr-defined]


def _id_column(store: LedgerSettings) -> str:
    return "rowid" if store.database_url is None else "notification_id"


@contextmanager
def dba(store: LedgerSettings) -> Iterator[Any]:
    """A direct connection to the store, as a database administrator would open one."""
    if store.database_url is None:
        conn = sqlite3.connect(store.sqlite_path, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()
    else:
        with psycopg.connect(store.database_url, autocommit=True) as pg:
            yield pg


def drop_guards(store: LedgerSettings, table: str) -> None:
    """What an attacker with DBA rights does first: take the append-only triggers away."""
    with dba(store) as conn:
        if store.database_url is None:
            names = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name=?", (table,)
            ).fetchall()
            for (name,) in names:
                conn.execute(f"DROP TRIGGER {name}")
        else:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def some_history(ledger: OwnershipLedger, contacts: int = 6) -> None:
    rep = ledger.join_staff("Rita", Role.SALES_REP, Seniority.SENIOR, "north", "n1", T0).id
    acme = ledger.register_customer("Acme", Source.IMPORTED, T0).id
    for n in range(contacts):
        ledger.record_contact(
            acme, rep, ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(n + 1), "ok"
        )


def positions(ledger: OwnershipLedger) -> list[Any]:
    return list(ledger.recorder.select_notifications(1, 10_000))


def unlinking_ledger(store: LedgerSettings) -> OwnershipLedger:
    """The ledger as it was before links were stored with events: the library's own recorder."""
    recorder = (
        "eventsourcing.sqlite:SQLiteApplicationRecorder"
        if store.database_url is None
        else "eventsourcing.postgres:PostgresApplicationRecorder"
    )
    return OwnershipLedger(store, env={"APPLICATION_RECORDER_TOPIC": recorder})


def assert_every_event_linked(ledger: OwnershipLedger) -> None:
    """The head covers the newest event and the chain every event, with no catch-up."""
    events = positions(ledger)
    head = chain_head(ledger, link_new=False)
    assert head is not None
    assert (head.position, head.length) == (events[-1].id, len(events))
    result = verify(ledger)
    assert result.intact
    assert (result.checked, result.unlinked_tail) == (len(events), 0)


def test_an_untouched_history_verifies_and_its_head_covers_every_event(
    ledger: OwnershipLedger,
) -> None:
    some_history(ledger)
    head = catch_up(ledger)
    events = positions(ledger)
    assert head is not None
    assert head.position == events[-1].id
    assert head.length == len(events)
    result = verify(ledger, {head.position: head.link})
    assert result.intact
    assert result.checked == len(events)
    assert result.unlinked_tail == 0
    assert catch_up(ledger) == head  # idempotent: nothing new, nothing changes


def test_commands_and_a_bulk_import_are_linked_as_they_are_stored(
    ledger: OwnershipLedger,
) -> None:
    some_history(ledger)
    assert_every_event_linked(ledger)
    ledger.import_history(blue_sun_month(), batch=16)
    assert_every_event_linked(ledger)


def test_the_plain_postgres_insert_path_links_events_too(store: LedgerSettings) -> None:
    if store.database_url is None:
        pytest.skip("the insert function is a PostgreSQL feature")
    plain = OwnershipLedger(store, env={"POSTGRES_ENABLE_DB_FUNCTIONS": "n"})
    try:
        some_history(plain)
        assert_every_event_linked(plain)
    finally:
        plain.close()


def test_writers_racing_on_one_store_link_every_event_into_one_chain(
    store: LedgerSettings,
) -> None:
    ledgers = [OwnershipLedger(store) for _ in range(4)]
    start = threading.Barrier(len(ledgers))

    def write(n: int) -> None:
        ledger = ledgers[n]
        rep = ledger.join_staff(f"rep{n}", Role.SALES_REP, Seniority.SENIOR, f"t{n}", "n", T0).id
        start.wait()
        for c in range(5):
            customer = ledger.register_customer(f"c{n}-{c}", Source.IMPORTED, T0).id
            ledger.record_contact(
                customer, rep, ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(1), "ok"
            )

    try:
        with ThreadPoolExecutor(len(ledgers)) as pool:
            list(pool.map(write, range(len(ledgers))))
        assert_every_event_linked(ledgers[0])
    finally:
        for ledger in ledgers:
            ledger.close()


def test_events_stored_before_links_were_stored_with_them_are_linked_by_catch_up(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    some_history(ledger, contacts=2)
    first = chain_head(ledger, link_new=False)
    assert first is not None
    older = unlinking_ledger(store)
    try:
        some_history(older, contacts=1)
    finally:
        older.close()
    result = verify(ledger)
    assert result.intact
    assert result.unlinked_tail > 0
    second = chain_head(ledger)
    assert second is not None and second.position > first.position
    assert verify(ledger, {first.position: first.link}).intact
    assert_every_event_linked(ledger)


def test_the_first_write_after_unlinked_events_links_them_before_its_own(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    older = unlinking_ledger(store)
    try:
        some_history(older, contacts=3)
    finally:
        older.close()
    assert chain_head(ledger, link_new=False) is None
    some_history(ledger, contacts=1)
    assert_every_event_linked(ledger)


def test_two_ledgers_catching_up_on_one_store_store_one_chain(store: LedgerSettings) -> None:
    one, two = OwnershipLedger(store), OwnershipLedger(store)
    try:
        some_history(one)
        assert catch_up(one) == catch_up(two)
        some_history(two, contacts=1)
        assert catch_up(two) == catch_up(one)
        assert verify(one).intact
    finally:
        one.close()
        two.close()


def test_two_ledgers_catching_up_at_the_same_moment_agree_on_the_head(
    store: LedgerSettings,
) -> None:
    ledgers = [OwnershipLedger(store) for _ in range(2)]
    try:
        some_history(ledgers[0], contacts=30)
        start = threading.Barrier(2)

        def race(ledger: OwnershipLedger) -> ChainHead | None:
            start.wait()
            return catch_up(ledger)

        with ThreadPoolExecutor(2) as pool:
            heads = list(pool.map(race, ledgers))
        assert heads[0] == heads[1]
        assert verify(ledgers[1]).intact
    finally:
        for ledger in ledgers:
            ledger.close()


def test_a_business_unit_schema_gets_its_own_chain_and_guards(store: LedgerSettings) -> None:
    if store.database_url is None:
        pytest.skip("schemas are a PostgreSQL feature")
    unit = OwnershipLedger(store.model_copy(update={"postgres_schema": "unit_b"}))
    try:
        some_history(unit)
        head = catch_up(unit)
        assert head is not None and verify(unit).intact
        assert unguarded_tables(unit) == []
        with dba(store) as conn, pytest.raises(psycopg.errors.RaiseException):
            conn.execute("DELETE FROM unit_b.ledger_events")
    finally:
        unit.close()


def flip_a_byte(ledger: OwnershipLedger, store: LedgerSettings, target: Any) -> None:
    """What an attacker does to one stored event once the guards are gone."""
    table = _events_table(ledger)
    drop_guards(store, table)
    state = bytearray(target.state)
    state[len(state) // 2] ^= 0x01
    with dba(store) as conn:
        mark = "?" if store.database_url is None else "%s"
        conn.execute(
            f"UPDATE {table} SET state={mark} WHERE {_id_column(store)}={mark}",
            (bytes(state), target.id),
        )


def test_one_changed_byte_in_one_event_is_named_as_the_first_broken_link(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    some_history(ledger)
    catch_up(ledger)
    target = positions(ledger)[3]
    flip_a_byte(ledger, store, target)
    result = verify(ledger)
    assert result.broken is not None
    assert result.broken.position == target.id
    assert result.broken.problem == "altered"
    assert result.broken.originator_id == str(target.originator_id)
    assert result.broken.originator_version == target.originator_version
    assert result.checked == 3


def test_an_event_changed_before_anything_caught_up_no_longer_matches_its_link(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    some_history(ledger)  # no verify, catch-up or head request: only the writes linked
    target = positions(ledger)[3]
    flip_a_byte(ledger, store, target)
    result = verify(ledger)
    assert result.broken is not None
    assert (result.broken.position, result.broken.problem) == (target.id, "altered")
    assert result.checked == 3


def test_one_deleted_event_is_named_as_a_gap(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    some_history(ledger)
    catch_up(ledger)
    target = positions(ledger)[4]
    table = _events_table(ledger)
    drop_guards(store, table)
    with dba(store) as conn:
        mark = "?" if store.database_url is None else "%s"
        conn.execute(f"DELETE FROM {table} WHERE {_id_column(store)}={mark}", (target.id,))
    result = verify(ledger)
    assert result.broken is not None
    assert result.broken.position == target.id
    assert result.broken.problem == "missing"
    assert result.broken.originator_id == str(target.originator_id)
    assert result.broken.originator_version == target.originator_version
    assert "deleted" in result.broken.message


def test_an_anchored_head_exposes_a_rewritten_chain_tail(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    some_history(ledger)
    anchored = catch_up(ledger)
    assert anchored is not None
    table = _events_table(ledger)
    drop_guards(store, table)
    drop_guards(store, "ledger_chain")
    with dba(store) as conn:  # remove the newest event and its link: the rest still agrees
        mark = "?" if store.database_url is None else "%s"
        conn.execute(f"DELETE FROM {table} WHERE {_id_column(store)}={mark}", (anchored.position,))
        conn.execute(f"DELETE FROM ledger_chain WHERE notification_id={mark}", (anchored.position,))
    assert verify(ledger).intact
    result = verify(ledger, {anchored.position: anchored.link})
    assert result.broken is not None
    assert result.broken.problem == "anchor_unknown"
    assert result.broken.position == anchored.position


@pytest.mark.parametrize("statement", ["UPDATE {table} SET topic = topic", "DELETE FROM {table}"])
@pytest.mark.parametrize("which", ["events", "snapshots", "chain"])
def test_update_and_delete_through_sql_are_refused(
    ledger: OwnershipLedger, store: LedgerSettings, statement: str, which: str
) -> None:
    some_history(ledger)
    install_guards(ledger)
    assert ledger.snapshots is not None
    table = {
        "events": _events_table(ledger),
        "snapshots": ledger.snapshots.recorder.events_table_name,  # type: ignore[attr-defined]
        "chain": "ledger_chain",
    }[which]
    sql = statement.format(table=table)
    if which == "chain":
        catch_up(ledger)
        sql = sql.replace("topic = topic", "link = link")
    if which == "snapshots":  # a row must exist for a row trigger to fire
        with dba(store) as conn:
            conn.execute(
                f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                + (
                    "VALUES (?, 1, 't', x'00')"
                    if store.database_url is None
                    else "VALUES (%s, 1, 't', '\\x00')"
                ),
                (str(positions(ledger)[0].originator_id),),
            )
    before = len(positions(ledger))
    refused = (
        sqlite3.IntegrityError if store.database_url is None else psycopg.errors.RaiseException
    )
    with dba(store) as conn, pytest.raises(refused, match="append-only"):
        conn.execute(sql)
    assert len(positions(ledger)) == before
    assert verify(ledger).intact
    assert unguarded_tables(ledger) == []


def unguarded_history(ledger: OwnershipLedger, store: LedgerSettings) -> str:
    """A little history whose events table has lost its guard; the table's name."""
    some_history(ledger, contacts=1)
    install_guards(ledger)
    table = _events_table(ledger)
    drop_guards(store, table)
    return table


def test_a_disabled_guard_is_reported_and_restored_when_the_store_is_prepared_again(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    table = unguarded_history(ledger, store)
    assert unguarded_tables(ledger) == [table]
    install_guards(ledger)
    assert unguarded_tables(ledger) == []


def test_the_verify_command_warns_of_a_dropped_guard_before_it_is_restored(
    ledger: OwnershipLedger, store: LedgerSettings
) -> None:
    table = unguarded_history(ledger, store)
    env = {"LEDGER_DATA_DIR": str(store.data_dir), "LEDGER_DATABASE_URL": store.database_url}
    result = CliRunner().invoke(cli, ["verify"], env=env)
    assert result.exit_code == 0, result.output
    assert f"warning: {table} did not refuse UPDATE and DELETE" in result.output
    assert "chain intact" in result.output
    assert unguarded_tables(ledger) == []  # and the guard is back
    quiet = CliRunner().invoke(cli, ["verify"], env=env)
    assert "warning" not in quiet.output


def test_the_verify_command_reports_an_intact_chain_then_the_first_broken_link(
    ledger: OwnershipLedger, store: LedgerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_history(ledger)
    for key, value in {
        "LEDGER_DATA_DIR": str(store.data_dir),
        "LEDGER_DATABASE_URL": store.database_url,
    }.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("LEDGER_POSTGRES_SCHEMA", raising=False)
    runner = CliRunner()
    intact = runner.invoke(cli, ["verify"], env={"COLUMNS": "200"})
    assert intact.exit_code == 0, intact.output
    head = chain_head(ledger, link_new=False)
    assert head is not None
    assert f"chain intact, head {head.link} at position {head.position}" in intact.output

    target = positions(ledger)[2]
    drop_guards(store, _events_table(ledger))
    with dba(store) as conn:
        mark = "?" if store.database_url is None else "%s"
        conn.execute(
            f"DELETE FROM {_events_table(ledger)} WHERE {_id_column(store)}={mark}", (target.id,)
        )
    broken = runner.invoke(cli, ["verify"], env={"COLUMNS": "200"})
    assert broken.exit_code == 1
    assert f"chain broken at position {target.id}" in broken.output
    assert str(target.originator_id) in broken.output
