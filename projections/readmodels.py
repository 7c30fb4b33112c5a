"""The ledger's read models: caught up from the event log, waited for, rebuilt, run in background.

The projection pulls pages of notifications from the application's recorder (only the topics
that have a handler) and applies each page in one transaction with its tracking position. The
library's `ProjectionRunner` would need `subscribe()`, which its SQLite recorder does not offer,
and applies one event per transaction; pages make a rebuild many times faster on both stores.
`LedgerProjection.process_event` keeps the library's one-event contract for runners that use it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    Tracking,
)
from eventsourcing.projection import Projection

from ledger.errors import LedgerError
from ledger.service import LedgerService
from ledger.settings import LedgerSettings
from projections.handlers import dispatch, handled_topics
from projections.schema import TABLES, columns
from projections.store import APPLICATION, ReadModelView, Tx, open_view

Progress = Callable[[int, int], None]  # (events done, events to do)
MAX_ATTEMPTS = 20
REBUILD_PAGE = 5_000  # a rebuild blocks no reader; fewer, larger commits (each one an fsync)


class ReadModelBehind(LedgerError):
    """The read models did not reach a command's position in time; the command itself stands."""

    kind = "unavailable"


class LedgerProjection(Projection[ReadModelView]):
    """Applies ledger events to the read-model tables, one handler per event class."""

    name = "ledger_rm"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.write(None, tracking, lambda tx: dispatch(tx, domain_event, tracking.notification_id))  # fmt: skip

    def process_page(self, start: int, events: list[tuple[Any, int]], last: int) -> None:
        """Apply a page of (event, position) and move the position from `start` to `last`."""

        def apply(tx: Tx) -> None:
            for domain_event, position in events:
                dispatch(tx, domain_event, position)

        self.view.write(start, Tracking(APPLICATION, last), apply)


@dataclass(frozen=True)
class RebuildStats:
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float(self.events)


class ReadModels:
    """The read models of one application: catch up, wait for a position, rebuild, follow."""

    def __init__(
        self, app: LedgerService, page: int = 500, owns_app: bool = False, writer: bool = True
    ) -> None:
        """`writer=False`: this process only reads and waits; a projector elsewhere (`ledger
        project`) keeps the tables, so nothing here catches up, rebuilds or creates them."""
        self.app = app
        self._owns_app = owns_app
        self.page = page
        self.writer = writer
        self.view, self._factory = open_view(app.settings)
        self.reader: ReadModelView = self.view
        self._reader_factory: InfrastructureFactory[Any] | None = None
        if app.settings.read_database_url:
            self.reader, self._reader_factory = open_view(app.settings, replica=True)
        self.projection = LedgerProjection(self.view)
        self.topics = handled_topics()
        self._lock = threading.RLock()
        self._nudge = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        if writer and self.position() and not self._layout_current():
            self.rebuild()  # tables written by an older release: rebuild them from the events

    def _layout_current(self) -> bool:
        """Every table has every column this release writes (probed, not versioned by hand)."""
        for table in TABLES:
            try:
                with self.view.read() as tx:
                    tx.all(f"SELECT {', '.join(columns(table))} FROM {table} LIMIT 0")
            except Exception:
                return False
        return True

    def position(self) -> int:
        return self.view.max_tracking_id(APPLICATION) or 0

    def served_position(self) -> int:
        """How far the read models that answer queries have come (a replica may lag, and may
        not even have received the tables yet)."""
        try:
            return self.reader.max_tracking_id(APPLICATION) or 0
        except ProgrammingError:
            return 0

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.reader.read() as tx:
            yield tx

    def catch_up(self, progress: Progress | None = None, page: int | None = None) -> int:
        """Apply every event recorded so far; returns how many events had a handler."""
        with self._lock:
            for _ in range(MAX_ATTEMPTS):
                try:
                    return self._catch_up_once(progress, page or self.page)
                except (IntegrityError, OperationalError):
                    time.sleep(0.01)  # another process moved the position first: start again
            raise ReadModelBehind(
                "read_models_contended",
                f"Could not advance the read models after {MAX_ATTEMPTS} attempts.",
                attempts=MAX_ATTEMPTS,
            )

    def _catch_up_once(self, progress: Progress | None, page: int) -> int:
        start = position = self.position()
        stop = self.app.recorder.max_notification_id() or 0
        applied = 0
        while position < stop:
            notes = self.app.recorder.select_notifications(
                start=position, limit=page, stop=stop, topics=self.topics,
                inclusive_of_start=False,
            )  # fmt: skip
            last = notes[-1].id if len(notes) == page else stop
            events = [(self.app.mapper.to_domain_event(n), n.id) for n in notes]
            self.projection.process_page(position, events, last)
            applied, position = applied + len(events), last
            if progress is not None:
                progress(position - start, stop - start)
        return applied

    def nudge(self) -> None:
        """A command was recorded in this process: the follower thread (if any) looks now."""
        self._nudge.set()

    def wait_for(self, position: int, timeout: float = 5.0) -> int:
        """Read your writes: the position the read models reached, once it includes `position`.

        It looks at the tracking row every millisecond or two, so any process can wait for a
        position that a projector in another process reaches: that is what lets any API worker
        serve a read after a write made on another one. A follower thread in this process is
        nudged first; a writer with no follower (the CLI) catches up itself.
        """
        reached = self.served_position()
        if reached >= position:
            return reached
        if self._thread is not None:
            self._nudge.set()
        elif self.writer:
            self.catch_up()
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while (reached := self.served_position()) < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.error is not None:
                raise ReadModelBehind(
                    "read_models_behind",
                    f"The read models reached event {reached}, not {position}, within "
                    f"{timeout:g} s; what was written is recorded, ask again shortly.",
                    position=position, reached=reached, timeout=timeout,
                )  # fmt: skip
            time.sleep(min(remaining, pause))
            pause = min(pause * 2, 0.002)
        return reached

    def rebuild(self, progress: Progress | None = None) -> RebuildStats:
        """Drop every read-model table and the tracking position, then apply the log again."""
        with self._lock:
            started = time.perf_counter()
            self.view.drop()
            self.view.create_table()
            with self.bulk():
                applied = self.catch_up(progress, max(self.page, REBUILD_PAGE))
            return RebuildStats(applied, time.perf_counter() - started)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Catching up from far behind (a rebuild, or following a bulk import): the query-only
        indexes are dropped and built once at the end. Queries meanwhile answer slowly, and a
        process that dies here leaves them to the next start, which creates missing indexes."""
        with self._lock:
            self.view.begin_bulk()
            try:
                yield
            finally:
                self.view.end_bulk()

    def start(self, interval: float = 0.2) -> None:
        """Follow the log in a background thread (an embedded server's projector)."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._follow, args=(interval,), daemon=True)
            self._thread.start()

    def _follow(self, interval: float) -> None:
        while not self._stopping.is_set():
            try:
                self.catch_up()
                self.error = None
            except Exception as error:  # keep following; wait_for reports it
                self.error = error
            self._nudge.wait(interval)
            self._nudge.clear()

    def stop(self) -> None:
        if self._thread is not None:
            self._stopping.set()
            self._nudge.set()
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        self.stop()
        self._factory.close()
        if self._reader_factory is not None:
            self._reader_factory.close()
        if self._owns_app:
            self.app.close()


def catch_up(source: LedgerService | LedgerSettings) -> ReadModels:
    """Read models caught up with everything recorded so far (CLI commands call this first)."""
    if isinstance(source, LedgerSettings):
        from projections.guard import open_ledger

        models = ReadModels(open_ledger(source), owns_app=True)
    else:
        models = ReadModels(source)
    models.catch_up()
    return models
