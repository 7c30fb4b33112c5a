"""The stretch of item 1: concurrent commands committed together (a bench-side prototype).

Not the ledger's command path: a subclass of `OwnershipLedger` in `bench/` to measure what group
commit would buy before anyone builds it into `ledger/`. Callers hand their command to one
writer thread and wait. The writer takes every command queued so far, decides each in turn on
one shared session (so two commands on one aggregate see each other, exactly as if run one
after the other), then writes all their events with one `Application.save`: one transaction,
one commit, one fsync. A refusal or a conflict anywhere in a batch throws the batch's unsaved
decisions away and runs its commands again one by one on the ordinary path, so a batch never
changes what any single command would have decided.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from eventsourcing.domain import Aggregate

from ledger.application import OwnershipLedger
from ledger.service import Receipt

Command = Callable[[], Receipt]


class GroupCommitLedger(OwnershipLedger):
    """`submit(lambda: ledger.record_contact(...))` from any thread: the result of the command."""

    name = "ledger"  # the library names tables after the class: without this, `groupcommitledger_events`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: queue.SimpleQueue[tuple[Command, Future[Receipt]] | None] = queue.SimpleQueue()  # fmt: skip
        self._writer = threading.local()
        self.batches: list[int] = []
        self._thread = threading.Thread(target=self._write, daemon=True)
        self._thread.start()

    def submit(self, command: Command) -> Receipt:
        done: Future[Receipt] = Future()
        self._queue.put((command, done))
        return done.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        super().close()

    def _save(self, main: Aggregate, *others: Aggregate | None, ref: str | None = None) -> Receipt:
        if not getattr(self._writer, "batching", False):
            return super()._save(main, *others, ref=ref)
        return Receipt(
            id=main.id, version=main.version, positions=[], ref=ref
        )  # saved by the batch

    def _write(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while not self._queue.empty():
                item = self._queue.get()
                if item is None:
                    self._run(batch)
                    return
                batch.append(item)
            self._run(batch)

    def _run(self, batch: list[tuple[Command, Future[Receipt]]]) -> None:
        self.batches.append(len(batch))
        session: dict[Any, Aggregate] = {}
        self._sessions.map = session
        self._writer.batching = True
        try:
            self._sync_cache()  # one store check per batch, as one per command on the usual path
            receipts = [command() for command, _ in batch]
            dirty = [a for a in session.values() if a.pending_events]
            recordings = self.save(*dirty)
        except Exception:
            receipts = []
        finally:
            self._writer.batching = False
            self._sessions.map = None
        if not receipts:  # a refusal or a conflict: each command again, alone, as usual
            for command, done in batch:
                try:
                    done.set_result(command())
                except Exception as error:
                    done.set_exception(error)
            return
        last = [max((r.notification.id for r in recordings), default=0)]
        for (_, done), receipt in zip(batch, receipts, strict=True):
            done.set_result(Receipt(receipt.id, receipt.version, last, receipt.ref))
