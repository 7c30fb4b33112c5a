"""The cache refuses the stale copies a race could hand it (ledger/cache.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from uuid import UUID, uuid4

from ledger.cache import CoherentCache


@dataclass
class Loaded:
    id: UUID
    version: int


def test_an_event_seen_in_the_log_drops_the_older_copy_and_refuses_it_later() -> None:
    cache = CoherentCache(10)
    key = uuid4()
    cache.put(key, Loaded(key, 3))
    cache.advance([(key, 4)], position=9)
    assert key not in cache.cache and cache.position == 9
    cache.put(key, Loaded(key, 3))  # a load that began before event 9: stale
    assert key not in cache.cache
    cache.put(key, Loaded(key, 4))
    assert cache.get(key).version == 4


def test_a_newer_copy_is_never_replaced_by_an_older_one() -> None:
    cache = CoherentCache(10)
    key = uuid4()
    cache.put(key, Loaded(key, 5))
    cache.put(key, Loaded(key, 4))
    assert cache.get(key).version == 5


def test_own_saves_move_the_position_only_when_nobody_wrote_between() -> None:
    cache = CoherentCache(10)
    a, b = uuid4(), uuid4()
    cache.position = 10
    cache.wrote([(11, a, 1), (12, b, 1)])
    assert cache.position == 12
    cache.wrote([(14, a, 2)])  # event 13 is someone else's: it must still be read
    assert cache.position == 12


def test_after_a_reset_what_a_thread_loaded_before_it_is_not_kept() -> None:
    cache = CoherentCache(10)
    key = uuid4()
    cache.begin()
    other = threading.Thread(target=lambda: cache.reset(100))
    other.start()
    other.join()
    cache.put(key, Loaded(key, 1))
    cache.mark_absent(uuid4())
    assert key not in cache.cache and not cache._absent
    cache.begin()
    cache.put(key, Loaded(key, 1))
    assert cache.get(key).version == 1 and cache.position == 100


def test_an_absent_id_is_forgotten_once_the_log_shows_it() -> None:
    cache = CoherentCache(10)
    key = uuid4()
    cache.mark_absent(key)
    assert cache.is_absent(key)
    cache.advance([(key, 1)], position=1)
    assert not cache.is_absent(key)
