"""Reports 5-13 by name, and the sections that wait for events not yet in the ledger."""

from __future__ import annotations

from collections.abc import Callable

from projections.reports.development import development
from projections.reports.distribution import (
    concentration,
    holders_as_of,
    lead_fairness,
    transfers,
)
from projections.reports.drift import control_index, due_lists, records_discipline
from projections.reports.period import Period, Sections
from projections.reports.quality import callback_quality, complaints_and_violations
from projections.store import Tx

Report = Callable[[Tx, Period], Sections]

REPORTS: dict[str, Report] = {
    "holders": holders_as_of,
    "control": control_index,
    "concentration": concentration,
    "fairness": lead_fairness,
    "transfers": transfers,
    "due": due_lists,
    "callbacks": callback_quality,
    "discipline": records_discipline,
    "complaints": complaints_and_violations,
    "development": development,
}

WAITING: dict[str, dict[str, str]] = {}  # sections whose events are not yet in the ledger

__all__ = ["REPORTS", "WAITING", "Period", "Report", "Sections"]
