"""Fresh stores for each part of a run: a SQLite directory or a PostgreSQL database.

PostgreSQL comes from `--postgres-url` or from a throwaway durable cluster (fsync on, as in
production), so commit latency is the real one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import psycopg
from psycopg import sql

from ledger.settings import LedgerSettings


@dataclass
class StoreKind:
    """Hands out fresh, isolated stores of one kind; `fresh()` is one store for one part."""

    kind: str  # "sqlite" or "postgres"
    root: Path
    server_url: str | None = None
    _numbers: Iterator[int] = field(default_factory=count)
    created: list[str] = field(default_factory=list)

    def fresh(self, label: str, **settings: object) -> LedgerSettings:
        n = next(self._numbers)
        data_dir = self.root / f"{label}-{n}"
        data_dir.mkdir(parents=True, exist_ok=True)
        url = None
        if self.kind == "postgres":
            assert self.server_url is not None
            name = f"bench_{label}_{n}".replace("-", "_")
            with psycopg.connect(self.server_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.created.append(name)
            url = self.server_url.rsplit("/", 1)[0] + f"/{name}"
        return LedgerSettings(data_dir=data_dir, database_url=url, **settings)  # type: ignore[arg-type]

    def drop_created(self) -> None:
        """Leave a given server as it was: drop the databases this run created."""
        if self.server_url is None:
            return
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            for name in self.created:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                conn.execute(drop.format(sql.Identifier(name)))
        self.created.clear()

    def server_version(self) -> str:
        if self.server_url is None:
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version}"
        with psycopg.connect(self.server_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            settings = conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('fsync','synchronous_commit','shared_buffers')"
            ).fetchall()
        extra = ", ".join(f"{k}={v}" for k, v in settings)
        return f"PostgreSQL {row[0] if row else '?'} ({extra})"


@contextmanager
def open_store(kind: str, postgres_url: str | None) -> Iterator[StoreKind]:
    root = Path(tempfile.mkdtemp(prefix=f"ledger-bench-{kind}-"))
    cluster = None
    try:
        if kind == "postgres" and postgres_url is None:
            from tests.pgcluster import TemporaryPostgres

            cluster = TemporaryPostgres(durable=True).start()
            postgres_url = cluster.url
        store = StoreKind(kind, root, postgres_url if kind == "postgres" else None)
        try:
            yield store
        finally:
            if cluster is None:
                store.drop_created()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
