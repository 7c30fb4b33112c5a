"""One row per measured figure, with the baseline it was measured beside and the target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    section: str  # "1 command path", "2 HTTP", ...
    name: str  # what was measured
    store: str
    clients: int | None
    value: float  # ops/s, events/s, ms or a ratio, per `unit`
    unit: str
    p50: float | None = None  # ms
    p99: float | None = None  # ms
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    measured: str = ""  # when: a scale's sections may come from separate runs (`--items`)

    @property
    def ratio(self) -> float | None:
        if self.baseline_value is None or self.baseline_value <= 0:
            return None
        return self.value / self.baseline_value

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "NOT met")
