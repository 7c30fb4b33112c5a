"""Session fixtures: a real PostgreSQL (given, or started here) beside SQLite files."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from tests.pgcluster import TemporaryPostgres

pytest_plugins = ("tests.stores",)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """LEDGER_TEST_DATABASE_URL if given, else a throwaway cluster for this session."""
    given = os.environ.get("LEDGER_TEST_DATABASE_URL")
    if given:
        yield given
        return
    with TemporaryPostgres() as cluster:
        yield cluster.create_database("ledger_test")


def drop_all_tables(url: str) -> None:
    """Empty the test database between tests (tables and the library's insert functions)."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table in tables:
            conn.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(schema, table)))
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
            "AND nspname NOT IN ('public', 'information_schema')"
        ).fetchall()
        for (schema,) in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
