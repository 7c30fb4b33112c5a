"""The read models' storage: one tracking recorder per store kind, owning the tables.

Rows and the tracking position are written in one transaction, and the transaction first checks
that the position is still where the batch started, so every event is applied exactly once even
when two processes catch up at the same time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from ledger.settings import LedgerSettings, postgres_env
from projections.schema import TRACKING_TABLE, create_statements, drop_statements

APPLICATION = "ledger"
Params = dict[str, Any] | Sequence[Any]
_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class PositionMoved(IntegrityError):
    """Another catch-up advanced the read models first; this batch was rolled back."""


class Tx:
    """A cursor that speaks one placeholder style (`:name`) on both stores."""

    def __init__(self, cursor: Any, postgres: bool) -> None:
        self.cursor = cursor
        self.postgres = postgres

    def execute(self, statement: str, params: Params = ()) -> None:
        if self.postgres:
            statement = _NAMED.sub(r"%(\1)s", statement).replace("?", "%s")
        self.cursor.execute(statement, params)

    def all(self, statement: str, params: Params = ()) -> list[dict[str, Any]]:
        self.execute(statement, params)
        return [dict(row) for row in self.cursor.fetchall()]

    def one(self, statement: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.all(statement, params)
        return rows[0] if rows else None


Writer = Callable[[Tx], None]


def _check_start(tx: Tx, start: int | None, lock: str) -> None:
    if start is None:  # one event: the tracking upsert alone refuses a repeat
        return
    row = tx.one(f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name=?{lock}", [APPLICATION])  # fmt: skip
    current = int(row["notification_id"]) if row else 0
    if current != start:
        raise PositionMoved(f"read models moved from {start} to {current}")


class SQLiteReadModels(SQLiteTrackingRecorder):
    """Read-model tables in the events' SQLite file, beside their own tracking table."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
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
        with self.datastore.transaction(commit=True) as cursor:
            tx = Tx(cursor, postgres=False)
            _check_start(tx, start, "")
            writer(tx)
            self._insert_tracking(cursor, tracking)

    def drop(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            for statement in drop_statements():
                cursor.execute(statement)
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
            yield Tx(cursor, postgres=True)

    def write(self, start: int | None, tracking: Tracking, writer: Writer) -> None:
        """One page in one transaction; pipeline mode sends its statements without a round
        trip each (a page of 500 events is thousands of statements)."""
        with self.datastore.transaction(commit=True) as cursor, cursor.connection.pipeline():
            self._search_path(cursor)
            tx = Tx(cursor, postgres=True)
            _check_start(tx, start, " FOR UPDATE")
            writer(tx)
            self._insert_tracking(cursor, tracking)

    def drop(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self._search_path(cursor)
            for statement in drop_statements():
                cursor.execute(SQL(statement))
        self.tracking_table_exists = False
        self.tracking_migration_previous = self.tracking_migration_current = None


ReadModelView = SQLiteReadModels | PostgresReadModels


def open_view(
    settings: LedgerSettings, replica: bool = False
) -> tuple[ReadModelView, InfrastructureFactory[Any]]:
    """The view for the configured store (or, read-only, its replica); close the factory after."""
    values = settings.eventsourcing_env()
    if replica and settings.read_database_url:
        values |= postgres_env(settings.read_database_url, settings.postgres_schema)
        values["CREATE_TABLE"] = "n"  # a standby is read-only: the primary creates the tables
    env = Environment("LEDGER_RM", values)
    factory: InfrastructureFactory[Any] = InfrastructureFactory.construct(env)
    kind = PostgresReadModels if settings.store_kind == "postgres" else SQLiteReadModels
    view: ReadModelView = factory.tracking_recorder(kind)
    return view, factory
