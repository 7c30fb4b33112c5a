"""The process's aggregate cache, kept true to the store with one query per command.

The library keeps a cached aggregate fresh by asking the store for newer events every time it is
loaded ("fast-forward"): a command that loads four aggregates paid four round trips even when
nothing had changed, two thirds of a command's time on PostgreSQL. Instead, before a command (or
a read outside one) the ledger asks for the log's last position; only when another writer moved
it does it read the new events' (aggregate, version) pairs and drop what they made stale.

That is sound because events become visible in id order on both stores (SQLite has one writer;
on PostgreSQL see ledger/pgrecorder.py): once the cache has seen position n, no event at or
below n can appear later. Puts race with those checks, so the cache refuses to store a version
older than one the log has already shown, and remembers recently changed ids for that.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import LRUCache

RECENT = 100_000  # changed ids remembered; a put older than that many changes is not expected
ABSENT = 10_000  # ids known not to exist (the policy before one is adopted, a team's count)
RESET_GAP = 10_000  # after more events than this by other writers, start empty instead


class CoherentCache(LRUCache[UUID, Any]):
    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self.position = 0  # every event up to here is reflected in what the cache holds
        self.guard = threading.Lock()
        self._shown: OrderedDict[UUID, int] = OrderedDict()  # newest version the log showed
        self._absent: OrderedDict[UUID, None] = OrderedDict()
        self.epoch = 0  # a reset starts a new epoch: what a thread loaded before it is not kept
        self._local = threading.local()

    def begin(self) -> None:
        """A thread's check of the store: what it loads from now on may be kept."""
        self._local.epoch = self.epoch

    def _current(self) -> bool:
        return getattr(self._local, "epoch", self.epoch) == self.epoch

    def reset(self, position: int) -> None:
        """Forget everything: cheaper than reading a long run of other writers' events."""
        with self.guard, self.lock:
            self.epoch += 1
            self.cache.clear()
            self.clear()
            self.full = False
            self._shown.clear()
            self._absent.clear()
            self.position = position

    def put(self, key: UUID, value: Any) -> Any:
        if value is None:
            return None
        with self.guard:
            if not self._current() or value.version < self._shown.get(key, 0):
                return None  # loaded before a newer event arrived: keep it out
            link = self.cache.get(key)
            if link is not None and link[self.RESULT].version > value.version:
                return None
            self._absent.pop(key, None)
            return super().put(key, value)

    def _show(self, key: UUID, version: int) -> None:
        """Remember the newest version the log has shown of `key` (the guard is held)."""
        if version > self._shown.get(key, 0):
            self._shown[key] = version
        self._shown.move_to_end(key)

    def advance(self, changes: Iterable[tuple[UUID, int]], position: int) -> None:
        """Take in the events up to `position`: drop each aggregate they left behind."""
        with self.guard:
            for key, version in changes:
                self._show(key, version)
                self._absent.pop(key, None)
                link = self.cache.get(key)
                if link is not None and link[self.RESULT].version < version:
                    super().get(key, evict=True)
            while len(self._shown) > RECENT:
                self._shown.popitem(last=False)
            self.position = max(self.position, position)

    def wrote(self, events: Sequence[tuple[int, UUID, int]]) -> None:
        """This process's own save of (position, aggregate, version), already put: remember the
        versions, and skip re-reading the events when nobody else wrote between."""
        if not events:
            return
        positions = [position for position, _, _ in events]
        with self.guard:
            for _, key, version in events:
                self._show(key, version)
            if min(positions) == self.position + 1 and max(positions) - min(positions) + 1 == len(positions):  # fmt: skip
                self.position = max(positions)

    def mark_absent(self, key: UUID) -> None:
        with self.guard:
            if not self._current() or key in self._shown or key in self.cache:
                return  # created meanwhile, or looked up before a reset
            self._absent[key] = None
            while len(self._absent) > ABSENT:
                self._absent.popitem(last=False)

    def is_absent(self, key: UUID) -> bool:
        return key in self._absent
