"""One settings object: the only place the ledger reads its environment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class LedgerSettings(BaseSettings):
    """SQLite in LEDGER_DATA_DIR unless LEDGER_DATABASE_URL names a PostgreSQL server.

    LEDGER_POSTGRES_SCHEMA gives a company or business unit its own schema in a shared database;
    LEDGER_READ_DATABASE_URL serves queries from a streaming replica of it.
    """

    model_config = SettingsConfigDict(env_prefix="LEDGER_")

    data_dir: Path = Path("ledger-data")
    database_url: str | None = None
    snapshot_interval: int = 50
    # Team and Census hold a set of A-tier customers that grows with the company: each snapshot
    # costs the whole set (up to 4.8 MB in the 1 M-customer bench), so they are snapshotted less
    # often; a first load then replays at most this many small events.
    set_snapshot_interval: int = 2_000
    cache_size: int | None = 10_000
    # Seals every snapshot (ledger/snapshotseal.py). Give every process of one store the same
    # key (64 hex digits); unset, this installation makes its own in data_dir/snapshot.key.
    snapshot_key: SecretStr | None = None
    postgres_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    read_database_url: str | None = None  # a streaming replica that serves the read models
    # Off in processes started after the store was prepared (API workers, the projector): a
    # dozen processes creating the same tables and functions at once race in PostgreSQL.
    create_tables: bool = True

    @property
    def store_kind(self) -> str:
        return "postgres" if self.database_url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "ledger.sqlite3"

    @property
    def read_models_path(self) -> Path:
        """SQLite keeps the read models in a file of their own: each file has one writer at a
        time, so a catch-up (or a whole rebuild) never holds the lock commands need."""
        return self.data_dir / "read-models.sqlite3"

    def eventsourcing_env(self) -> dict[str, str]:
        """Translate our settings into the library's environment variables."""
        env = {"IS_SNAPSHOTTING_ENABLED": "y", "CREATE_TABLE": "y" if self.create_tables else "n"}
        if self.cache_size:
            env["AGGREGATE_CACHE_MAXSIZE"] = str(self.cache_size)
        if self.database_url is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            env |= {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "ledger.sqliterecorder:LinkedSQLiteRecorder",
            }
            return env
        return env | postgres_env(self.database_url, self.postgres_schema)


def postgres_env(url: str, schema: str | None = None) -> dict[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"LEDGER_DATABASE_URL must be a postgresql:// URL, not {parts.scheme}://")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "APPLICATION_RECORDER_TOPIC": "ledger.pgrecorder:OrderedPostgresRecorder",
        "POSTGRES_POOL_SIZE": "10",
        "POSTGRES_MAX_OVERFLOW": "40",
        # No pre-ping: it doubled every query's round trips. After a database restart the
        # server's store watch renews the pools (api/storewatch.py), and a command that meets
        # a broken connection first is retried by the library.
        "POSTGRES_PRE_PING": "n",
        "POSTGRES_CONNECT_TIMEOUT": "2",
        "POSTGRES_MAX_WAITING": "100",
    }
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    return env
