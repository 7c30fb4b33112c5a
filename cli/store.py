"""Store housekeeping the CLI needs: is it empty, and empty it on request."""

from __future__ import annotations

import psycopg
from psycopg import sql

from ledger.settings import LedgerSettings


def empty_store(settings: LedgerSettings) -> None:
    """Drop the ledger's tables (SQLite: its two files), so `--fresh` starts from nothing."""
    if settings.database_url is None:
        for path in (settings.sqlite_path, settings.read_models_path):
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    schema = settings.postgres_schema or "public"
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE 'ledger%%'",
            (schema,),
        ).fetchall()
        for (table,) in rows:
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(schema, table))
            )
