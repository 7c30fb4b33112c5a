"""Drive N client threads against one operation, bounded by time and by count."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Op = Callable[[], bool]  # one call = one command; False means "nothing left to do"


@dataclass
class Sample:
    """What one cell measured: completed operations, errors, wall time and per-op latencies."""

    ops: int
    errors: int
    seconds: float
    latencies: list[float] = field(repr=False)
    first_error: str = ""

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Latency in milliseconds at quantile q (nearest rank, so p99 is a real observation)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0


def drive(clients: int, make_op: Callable[[int], Op], seconds: float, max_ops: int) -> Sample:
    """Run `clients` threads, each calling its own op until the deadline or `max_ops` each.

    Ops are built before the clock starts, so set-up (connections, loads) is not timed. A raised
    exception counts as an error and the thread goes on: a refusal must not hide the rest.
    """
    ops = [make_op(i) for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_error: list[str] = []
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        op, mine = ops[i], latencies[i]
        start.wait()
        while len(mine) + errors[i] < max_ops and time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                if not op():
                    return
            except Exception as error:
                errors[i] += 1
                if not first_error:
                    first_error.append(f"{type(error).__name__}: {error}"[:200])
                continue
            mine.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [x for per in latencies for x in per]
    return Sample(len(flat), sum(errors), elapsed, flat, first_error[0] if first_error else "")


def timed(call: Callable[[], object], repeat: int) -> Sample:
    """Sequential latencies of `call`, for queries and reports."""
    latencies = []
    began = time.perf_counter()
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - t)
    return Sample(repeat, 0, time.perf_counter() - began, latencies)
