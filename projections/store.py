"""The read models' storage: one tracking recorder per store kind, owning the tables.

Rows and the tracking position are written in one transaction, and the transaction first checks
that the position is still where the batch started, so every event is applied exactly once even
when two processes catch up at the same time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from ledger.settings import LedgerSettings, postgres_env
from projections.schema import (
    TABLES,
    TRACKING_TABLE,
    create_statements,
    drop_statements,
    query_index_statements,
)

APPLICATION = "ledger"
Params = dict[str, Any] | Sequence[Any]
_NAMED = re.compile(r"(?<![:\w]):(\w+)")
BULK_CACHE_KIB = 512 * 1024


class PositionMoved(IntegrityError):
    """Another catch-up advanced the read models first; this batch was rolled back."""


class Tx:
    """A cursor that speaks one placeholder style (`:name`) on both stores.

    Handlers may hand it writes to do later (`insert_later`, `raise_later`): appends and
    "move a time forward" updates commute with everything that does not read or write the same
    table and column, so they are gathered and sent as one `executemany` per statement, or one
    update per row, just before the first statement that touches them, and at the end of the
    transaction. A page of contacts then costs one INSERT batch instead of five statements each,
    and the results are the same as writing each at once.

    On PostgreSQL, statements whose rows are fetched go on a second cursor (`reader`). In
    pipeline mode a cursor keeps the result of its latest statement *to arrive*: when the
    server's answer to an UPDATE comes in while a later statement on the same cursor is being
    sent, psycopg 3.3 files it as that statement's result and `fetchone` returns it ("the last
    operation didn't produce records (command status: UPDATE 1)"). The reader fetches each
    statement's rows before sending the next, so it never has an answer in flight but its own.
    """

    def __init__(self, cursor: Any, postgres: bool, reader: Any = None) -> None:
        self.cursor = cursor
        self.reader = cursor if reader is None else reader
        self.postgres = postgres
        self._inserts: dict[str, tuple[str, list[Params]]] = {}  # statement -> (table, rows)
        self._raises: dict[tuple[str, str, str], dict[str, str]] = {}  # (table, key, column)
        self._tables: set[str] = set()  # tables with a deferred write
        self.memo: dict[Any, Any] = {}  # what handlers know of this transaction's rows

    def execute(self, statement: str, params: Params = ()) -> None:
        self.cursor.execute(self._ready(statement), params)

    def all(self, statement: str, params: Params = ()) -> list[dict[str, Any]]:
        self.reader.execute(self._ready(statement), params)
        return [dict(row) for row in self.reader.fetchall()]

    def one(self, statement: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.all(statement, params)
        return rows[0] if rows else None

    def insert_later(self, table: str, statement: str, params: dict[str, Any]) -> None:
        """`statement` (an INSERT into `table`) with `params`, sent with others of its kind."""
        self._inserts.setdefault(statement, (table, []))[1].append(params)
        self._tables.add(table)

    def raise_later(self, table: str, key: str, key_value: str, column: str, value: str) -> None:
        """Set `column` to `value` where it is NULL or earlier (text order is time order)."""
        pending = self._raises.setdefault((table, key, column), {})
        self._tables.add(table)
        if (current := pending.get(key_value)) is None or current < value:
            pending[key_value] = value

    def flush(self) -> None:
        """Send every deferred write (the store calls this before the transaction commits)."""
        self._flush(lambda table, column: True)

    def _ready(self, statement: str) -> str:
        """`statement` in the store's spelling, once the deferred writes it touches are sent."""
        if self._tables and any(table in statement for table in self._tables):
            self._send_deferred_for(statement)
        return _native(statement) if self.postgres else statement

    def _send_deferred_for(self, statement: str) -> None:
        tables = {table for table in self._tables if table in statement}
        every = "*" in statement or "DELETE" in statement.upper()

        def touched(table: str, column: str | None) -> bool:
            return table in tables and (column is None or every or column in statement)

        self._flush(touched)

    def _flush(self, touched: Callable[[str, str | None], bool]) -> None:
        for statement, (table, rows) in list(self._inserts.items()):
            if touched(table, None):
                del self._inserts[statement]
                self._executemany(statement, rows)
        for (table, key, column), pending in list(self._raises.items()):
            if touched(table, column):
                del self._raises[(table, key, column)]
                update = (
                    f"UPDATE {table} SET {column}=:v WHERE {key}=:k "
                    f"AND ({column} IS NULL OR {column}<:v)"
                )
                self._executemany(update, [{"k": k, "v": v} for k, v in pending.items()])
        self._tables = {t for t, _ in self._inserts.values()} | {t for t, _, _ in self._raises}

    def _executemany(self, statement: str, rows: list[Params]) -> None:
        if not self.postgres:
            self.cursor.executemany(statement, rows)
            return
        with self.cursor.connection.cursor() as cursor:  # its own, as the library does
            cursor.executemany(_native(statement), rows)


@lru_cache(maxsize=1024)
def _native(statement: str) -> str:
    """`:name` placeholders as psycopg's `%(name)s` (memoised: handlers reuse few statements)."""
    return _NAMED.sub(r"%(\1)s", statement).replace("?", "%s")


Writer = Callable[[Tx], None]


def _check_start(tx: Tx, start: int | None, lock: str) -> None:
    if start is None:  # one event: the tracking upsert alone refuses a repeat
        return
    row = tx.one(f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name=?{lock}", [APPLICATION])  # fmt: skip
    current = int(row["notification_id"]) if row else 0
    if current != start:
        raise PositionMoved(f"read models moved from {start} to {current}")


class SQLiteReadModels(SQLiteTrackingRecorder):
    """Read-model tables in their own SQLite file (`LedgerSettings.read_models_path`), beside
    their tracking table: rows and position still commit together."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        pool = datastore.pool
        create = pool._create_connection

        def relaxed() -> Any:  # the safety level can't change inside a transaction: set it once
            connection = create()
            connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")
            return connection

        pool._create_connection = relaxed
        self.insert_tracking_statement = self.insert_tracking_statement.replace(
            "tracking", TRACKING_TABLE
        )
        self.select_max_tracking_id_statement = self.select_max_tracking_id_statement.replace(
            "tracking", TRACKING_TABLE
        )

    def construct_create_table_statements(self) -> list[str]:
        return [
            *create_statements(),
            f"CREATE TABLE IF NOT EXISTS {TRACKING_TABLE} (application_name TEXT, "
            "notification_id INTEGER, PRIMARY KEY (application_name)) WITHOUT ROWID",
        ]

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.datastore.transaction(commit=False) as cursor:
            yield Tx(cursor, postgres=False)

    def write(self, start: int | None, tracking: Tracking, writer: Writer) -> None:
        """Rows and position in one transaction, committed without waiting for the disk:
        `synchronous=NORMAL` in WAL mode keeps every commit atomic, and a power cut can only
        lose the last pages, which the projector applies again from the position that
        survived. The events themselves stay fully durable in their own file."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB if self.bulk else 2000}")
            tx = Tx(cursor, postgres=False)
            _check_start(tx, start, "")
            writer(tx)
            tx.flush()
            self._insert_tracking(cursor, tracking)

    bulk = False

    def begin_bulk(self) -> None:
        """Far behind: drop the query-only indexes; writes meanwhile get a large page cache, so
        a page's dirty rows stay in memory until the commit instead of spilling to the WAL."""
        self._statements(query_index_statements()[0])
        self.bulk = True

    def end_bulk(self) -> None:
        """Caught up: build each dropped index once (later writes give the memory back)."""
        self.bulk = False
        self._statements(query_index_statements()[1])

    def _statements(self, statements: list[str]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for statement in statements:
                cursor.execute(statement)

    def drop(self) -> None:
        self._statements(drop_statements())
        self.tracking_table_exists = False
        self.tracking_migration_previous = self.tracking_migration_current = None


class PostgresReadModels(PostgresTrackingRecorder):
    """Read-model tables in the events' PostgreSQL database (and schema)."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements[:0] = [SQL(s).format() for s in create_statements()]
        if datastore.schema != "public":  # create our tables beside the events, in its schema
            path = SQL("SET LOCAL search_path TO {}").format(Identifier(datastore.schema))
            self.sql_create_statements.insert(0, path)

    def _search_path(self, cursor: Any) -> None:
        if self.datastore.schema != "public":
            cursor.execute(
                SQL("SET LOCAL search_path TO {}").format(Identifier(self.datastore.schema))
            )

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.datastore.transaction(commit=False) as cursor:
            self._search_path(cursor)
            yield Tx(cursor, postgres=True)  # not pipelined: one cursor does

    def write(self, start: int | None, tracking: Tracking, writer: Writer) -> None:
        """One page in one transaction; pipeline mode sends its statements without a round
        trip each (a page of 500 events is thousands of statements). The commit does not wait
        for the WAL flush (`synchronous_commit = off`): it stays atomic, and a server crash
        can only lose the last pages, which the projector applies again from the position
        that survived; the events' own transactions keep the server's durable default."""
        with (
            self.datastore.transaction(commit=True) as cursor,
            cursor.connection.pipeline(),
            cursor.connection.cursor() as reader,
        ):
            cursor.execute("SET LOCAL synchronous_commit = off")
            self._search_path(cursor)
            tx = Tx(cursor, postgres=True, reader=reader)
            _check_start(tx, start, " FOR UPDATE")
            writer(tx)
            tx.flush()
            self._insert_tracking(reader, tracking)  # the library fetches the upsert's row

    def begin_bulk(self) -> None:
        """Far behind: drop the query-only indexes (the server's buffers need no setting)."""
        self._statements(query_index_statements()[0])

    def end_bulk(self) -> None:
        """Build the dropped indexes, then ANALYZE the freshly loaded tables: otherwise the
        planner has no statistics until autovacuum gets to them, in the middle of queries."""
        self._statements([*query_index_statements()[1], *(f"ANALYZE {t}" for t in TABLES)])

    def _statements(self, statements: list[str]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self._search_path(cursor)
            for statement in statements:
                cursor.execute(SQL(statement))

    def drop(self) -> None:
        self._statements(drop_statements())
        self.tracking_table_exists = False
        self.tracking_migration_previous = self.tracking_migration_current = None


ReadModelView = SQLiteReadModels | PostgresReadModels


def open_view(
    settings: LedgerSettings, replica: bool = False
) -> tuple[ReadModelView, InfrastructureFactory[Any]]:
    """The view for the configured store (or, read-only, its replica); close the factory after."""
    values = settings.eventsourcing_env()
    if settings.database_url is None:
        values["SQLITE_DBNAME"] = str(settings.read_models_path)
    if replica and settings.read_database_url:
        values |= postgres_env(settings.read_database_url, settings.postgres_schema)
        values["CREATE_TABLE"] = "n"  # a standby is read-only: the primary creates the tables
    env = Environment("LEDGER_RM", values)
    factory: InfrastructureFactory[Any] = InfrastructureFactory.construct(env)
    kind = PostgresReadModels if settings.store_kind == "postgres" else SQLiteReadModels
    view: ReadModelView = factory.tracking_recorder(kind)
    return view, factory
