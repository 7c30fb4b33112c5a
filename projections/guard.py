"""Append-only guards: the store itself refuses UPDATE and DELETE of stored events.

The library only ever inserts events and snapshots, so a changed or removed row can only come
from outside the ledger. Triggers make such changes fail loudly instead of silently rewriting
history; someone with the rights to drop a trigger can still get past them, which is what the
hash chain (`projections.chain`) is there to expose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteDatastore
from psycopg.sql import SQL, Identifier, Literal

from ledger.application import OwnershipLedger
from ledger.chainhash import CHAIN_TABLE as CHAIN_TABLE  # projections.export imports it here
from ledger.pgrecorder import create_chain_table_statement
from ledger.settings import LedgerSettings
from ledger.sqliterecorder import CREATE_CHAIN_TABLE

GUARD_PREFIX = "ledger_append_only"
PG_FUNCTION = "ledger_refuse_change"
PG_ROW_TRIGGER = "ledger_append_only"
PG_TRUNCATE_TRIGGER = "ledger_append_only_truncate"
_LOCK_KEY = 0x6C65_6467  # "ledg": one installer at a time across processes
_PREPARE_KEY = 0x6C65_6470  # "ledp": one process creating the tables at a time


@dataclass(frozen=True)
class GuardedStore:
    """Where an application's append-only tables live."""

    kind: str  # "sqlite" | "postgres"
    datastore: Any
    tables: tuple[str, ...]  # events, snapshots (when enabled), chain

    @property
    def schema(self) -> str:
        return str(self.datastore.schema) if self.kind == "postgres" else ""


def guarded_store(app: Application[Any]) -> GuardedStore | None:
    """The tables to guard, or None for a store with no database (in memory)."""
    recorders: list[Any] = [app.recorder]
    if app.snapshots is not None:
        recorders.append(app.snapshots.recorder)
    tables = (*(r.events_table_name for r in recorders), CHAIN_TABLE)
    if isinstance(app.recorder, SQLiteAggregateRecorder):
        assert isinstance(app.recorder.datastore, SQLiteDatastore)
        return GuardedStore("sqlite", app.recorder.datastore, tables)
    if isinstance(app.recorder, PostgresAggregateRecorder):
        assert isinstance(app.recorder.datastore, PostgresDatastore)
        return GuardedStore("postgres", app.recorder.datastore, tables)
    return None


def sqlite_trigger_names(table: str) -> tuple[str, str]:
    return f"{GUARD_PREFIX}_{table}_update", f"{GUARD_PREFIX}_{table}_delete"


def install_sqlite_guards(cursor: Any, tables: tuple[str, ...]) -> None:
    """BEFORE UPDATE / BEFORE DELETE triggers that abort the statement (idempotent)."""
    for table in tables:
        for name, operation in zip(sqlite_trigger_names(table), ("UPDATE", "DELETE"), strict=True):
            message = f"ledger: {operation} on {table} refused: stored events are append-only"
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def install_postgres_guards(cursor: Any, schema: str, tables: tuple[str, ...]) -> None:
    """A refusing trigger function, and row + TRUNCATE triggers on each table (idempotent).

    Call it under the advisory lock `install_guards` takes, so two processes opening the store
    at once don't race on the catalogue; a trigger found disabled is enabled again.
    """
    function = Identifier(schema, PG_FUNCTION)
    cursor.execute("SELECT to_regprocedure(%s) AS f", (f'"{schema}"."{PG_FUNCTION}"()',))
    if cursor.fetchone()["f"] is None:
        cursor.execute(
            SQL(
                "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'ledger: % on %.% refused: stored events are append-only', "
                "TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME; END $$"
            ).format(function)
        )
    for table in tables:
        qualified = Identifier(schema, table)
        for trigger, timing in (
            (PG_ROW_TRIGGER, "BEFORE UPDATE OR DELETE ON {} FOR EACH ROW"),
            (PG_TRUNCATE_TRIGGER, "BEFORE TRUNCATE ON {} FOR EACH STATEMENT"),
        ):
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s",
                (f'"{schema}"."{table}"', trigger),
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    SQL("CREATE TRIGGER {} " + timing + " EXECUTE FUNCTION {}()").format(
                        Identifier(trigger), qualified, function
                    )
                )
            elif row["tgenabled"] == "D":
                cursor.execute(
                    SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(qualified, Identifier(trigger))
                )


def create_chain_table(store: GuardedStore, cursor: Any) -> None:
    """The chain's links, as the ledger's recorders create them with the events table (a store
    opened through another recorder gets the table here, and `catch_up` links its events)."""
    if store.kind == "sqlite":
        cursor.execute(CREATE_CHAIN_TABLE)
    else:
        cursor.execute(create_chain_table_statement(store.schema))


def install_guards(app: Application[Any]) -> None:
    """Make the application's events, snapshots and chain tables refuse UPDATE and DELETE.

    Safe to call every time the store is opened; does nothing for an in-memory store.
    """
    store = guarded_store(app)
    if store is None:
        return
    if store.kind == "sqlite":
        with sqlite_write(store.datastore) as cursor:
            create_chain_table(store, cursor)
            install_sqlite_guards(cursor, store.tables)
        return
    with store.datastore.transaction(commit=True) as cursor:
        # the lock first: CREATE TABLE IF NOT EXISTS itself races in PostgreSQL
        cursor.execute(SQL("SELECT pg_advisory_xact_lock({})").format(Literal(_LOCK_KEY)))
        create_chain_table(store, cursor)
        install_postgres_guards(cursor, store.schema, store.tables)


@contextmanager
def sqlite_write(datastore: SQLiteDatastore) -> Iterator[Any]:
    """A transaction that holds SQLite's write lock from its BEGIN.

    The library's plain BEGIN takes the lock at the first write; when the statements before it
    only read (the tables already exist), a writer that got in between makes it fail at once
    ("database is locked") instead of waiting its turn.
    """
    with datastore.get_connection(commit=True) as conn, conn.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def unguarded_tables(app: Application[Any]) -> list[str]:
    """Tables whose guard is missing or disabled (for `ledger verify` to warn about)."""
    store = guarded_store(app)
    if store is None:
        return []
    missing: list[str] = []
    with store.datastore.transaction(commit=False) as cursor:
        for table in store.tables:
            if store.kind == "sqlite":
                names = sqlite_trigger_names(table)
                cursor.execute(
                    "SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = ? AND name IN (?, ?)",
                    (table, *names),
                )
                guarded = cursor.fetchone()["n"] == len(names)
            else:
                cursor.execute(
                    "SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                    "AND tgname IN (%s, %s) AND tgenabled <> 'D'",
                    (f'"{store.schema}"."{table}"', PG_ROW_TRIGGER, PG_TRUNCATE_TRIGGER),
                )
                guarded = cursor.fetchone()["n"] == 2
            if not guarded:
                missing.append(table)
    return missing


def open_ledger(settings: LedgerSettings | None = None) -> OwnershipLedger:
    """The ledger on the configured store, its append-only guards in place: every entry point
    (CLI, server, read models) opens the store this way."""
    ledger = OwnershipLedger(settings or LedgerSettings())
    install_guards(ledger)
    return ledger


def prepare_store(settings: LedgerSettings) -> None:
    """Create every table, function and guard once, before the processes that use them start.

    `ledger serve` and `ledger project` call this first and then open the store with
    `create_tables` off: on PostgreSQL, concurrent `CREATE OR REPLACE FUNCTION` and
    `CREATE TABLE IF NOT EXISTS` fail ("tuple concurrently updated"), so two servers starting
    at once take turns under an advisory lock. It also links events stored before the
    recorders linked them, so no command pays for that backlog inside its insert.
    """
    from projections.chain import catch_up  # it imports this module
    from projections.store import open_view  # the read side's tables, beside the events

    settings = settings.model_copy(update={"create_tables": True})
    with ExitStack() as stack:
        if settings.database_url is not None:
            conn = stack.enter_context(psycopg.connect(settings.database_url, autocommit=True))
            conn.execute("SELECT pg_advisory_lock(%s)", (_PREPARE_KEY,))
        ledger = open_ledger(settings)
        stack.callback(ledger.close)
        catch_up(ledger)
        _, factory = open_view(settings)
        factory.close()
