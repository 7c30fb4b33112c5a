"""The projector: the one process that follows the log and keeps the read models.

API workers only read the read models and wait for positions; this process writes them. At most
one projector writes at a time: on PostgreSQL it holds a session advisory lock on a connection
of its own, on SQLite an exclusive `flock` on a file beside the read models. A second projector
blocks on that lock as a hot standby. The server drops a dead session's lock and the kernel a
dead process's `flock` (kill -9 included), so the standby takes over from the tracking position,
which moves only in the same transaction as the rows.

It wakes when the log moves, not on a timer: PostgreSQL's `NOTIFY` (the recorder sends one in
every insert) or, on SQLite, `PRAGMA data_version`, which changes when another connection
commits to the file and costs a few microseconds to ask.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import psycopg
from psycopg.sql import SQL, Identifier

from ledger.settings import LedgerSettings
from projections.guard import open_ledger, prepare_store
from projections.readmodels import ReadModels

log = logging.getLogger("ledger.projector")
IDLE_WAKE = 1.0  # look at the log at least this often, whatever the wake-ups say
SQLITE_POLL = 0.001


def lock_key(settings: LedgerSettings) -> int:
    """One projector per store: a business unit's schema has its own lock."""
    return zlib.crc32(f"ledger-projector:{settings.postgres_schema or 'public'}".encode())


class ProjectorLock:
    """Held for as long as this process is the store's projector."""

    def __init__(self, settings: LedgerSettings) -> None:
        self.settings = settings
        self._conn: psycopg.Connection[Any] | None = None
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        if self.settings.database_url is not None:
            if self._conn is None:
                self._conn = psycopg.connect(self.settings.database_url, autocommit=True)
            row = self._conn.execute(
                "SELECT pg_try_advisory_lock(%s)", (lock_key(self.settings),)
            ).fetchone()
            return bool(row and row[0])
        if self._file is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._file = open(self.settings.data_dir / "projector.lock", "a+")  # noqa: SIM115
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self, stop: threading.Event, poll: float = 0.5) -> bool:
        """Wait (as a standby) until the lock is ours or `stop` is set."""
        while not stop.is_set():
            if self.try_acquire():
                return True
            stop.wait(poll)
        return False

    def alive(self) -> bool:
        """Still ours: on PostgreSQL the lock lives as long as its connection."""
        if self._conn is None:
            return self._file is not None
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None
        if self._file is not None:
            self._file.close()  # closing the file drops the flock
            self._file = None


def projector_active(settings: LedgerSettings) -> bool:
    """Whether some process holds the projector lock now (for health checks)."""
    if settings.database_url is not None:
        with psycopg.connect(settings.database_url, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = %s",
                (lock_key(settings),),
            ).fetchone()
            return bool(row and row[0])
    probe = ProjectorLock(settings)
    try:
        return not probe.try_acquire()
    finally:
        probe.release()


class Wakeup:
    """Returns from `wait` soon after the log may have moved."""

    def __init__(self, settings: LedgerSettings, channel: str | None) -> None:
        self._pg: psycopg.Connection[Any] | None = None
        self._sqlite: sqlite3.Connection | None = None
        if settings.database_url is not None and channel:
            self._pg = psycopg.connect(settings.database_url, autocommit=True)
            self._pg.execute(SQL("LISTEN {}").format(Identifier(channel)))
        elif settings.database_url is None:
            self._sqlite = sqlite3.connect(settings.sqlite_path, check_same_thread=False)
            self._version = self._data_version()

    def _data_version(self) -> int:
        assert self._sqlite is not None
        row = self._sqlite.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def wait(self, timeout: float) -> None:
        if self._pg is not None:
            for _ in self._pg.notifies(timeout=timeout, stop_after=1):
                pass
            return
        if self._sqlite is None:
            time.sleep(timeout)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            version = self._data_version()
            if version != self._version:
                self._version = version
                return
            time.sleep(SQLITE_POLL)

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
        if self._sqlite is not None:
            self._sqlite.close()


@dataclass
class ProjectorState:
    """What `ledger project` reports as it goes."""

    role: str = "starting"  # "standby" | "active" | "stopped"
    position: int = 0


@contextmanager
def _opened(settings: LedgerSettings) -> Iterator[ReadModels]:
    ledger = open_ledger(settings)
    models = ReadModels(ledger, owns_app=True)
    try:
        yield models
    finally:
        models.close()


def run_projector(
    settings: LedgerSettings,
    stop: threading.Event,
    on_change: Callable[[ProjectorState], None] = lambda state: None,
) -> None:
    """Be the store's projector until `stop` is set (waiting as a standby while another is)."""
    prepare_store(settings)
    settings = settings.model_copy(update={"create_tables": False})
    state = ProjectorState()
    lock = ProjectorLock(settings)
    if not lock.try_acquire():
        state.role = "standby"
        on_change(state)
        if not lock.acquire(stop):
            lock.release()
            return
    try:
        with _opened(settings) as models:
            channel = getattr(models.app.recorder, "channel_name", None)
            wakeup = Wakeup(settings, channel)
            state.role, state.position = "active", models.position()
            on_change(state)
            try:
                while not stop.is_set():
                    try:
                        if models.catch_up():
                            state.position = models.position()
                            on_change(state)
                    except Exception as error:  # the store restarting: keep the lock, retry
                        log.warning("catch-up failed, retrying: %s", error)
                        stop.wait(IDLE_WAKE)
                    if not lock.alive():
                        raise RuntimeError("lost the projector lock's connection")
                    wakeup.wait(IDLE_WAKE)
            finally:
                wakeup.close()
    finally:
        lock.release()
        state.role = "stopped"
        on_change(state)
