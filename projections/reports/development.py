"""Report 13: station customer development: completion against the month's targets, the hero
board by first top-up, developments not yet logged through, and missing Sunday forms (129–135)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from projections.reports.period import Period, Rows, Sections
from projections.schema import parse_ts
from projections.store import Tx


def development(tx: Tx, period: Period) -> Sections:
    """Targets are read for the month of `at`; successes count by the time they were recorded."""
    month = period.at.strftime("%Y-%m")
    month_start = period.at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = tx.all(
        "SELECT development_id, station, manager_id, area_manager_id, target, level, step, "
        "planned_at, succeeded_at, first_top_up, filed_at FROM ledger_rm_development "
        "WHERE planned_at<:until ORDER BY planned_at, development_id",
        period.bounds,
    )
    targets = {
        t["station"]: t
        for t in tx.all("SELECT * FROM ledger_rm_station_target WHERE month=:m", {"m": month})
    }
    won: dict[str, list[Decimal]] = defaultdict(list)
    for r in rows:
        at = r["succeeded_at"]
        if at is not None and month_start <= parse_ts(at) <= period.at:
            won[r["station"]].append(Decimal(r["first_top_up"]))
    stations = sorted(set(targets) | set(won))
    completion = [_completion(s, targets.get(s), won[s], month) for s in stations]
    board = sorted(completion, key=lambda r: (-Decimal(r["first_top_up"]), r["station"]))
    return {
        "completion": completion,
        "hero_board": [{"rank": n, **r} for n, r in enumerate(board, start=1)],
        "not_logged_through": [
            r for r in rows if r["step"] == "succeeded" or (r["step"] in ("planned", "visited"))
        ],
        "missing_weekly_forms": _missing_forms(tx, rows, period),
    }


def _completion(station: str, target: dict[str, Any] | None, won: list[Decimal], month: str) -> dict[str, Any]:  # fmt: skip
    cards = int(target["cards"]) if target else 0
    top_up = Decimal(target["top_up"]) if target else Decimal(0)
    total = sum(won, Decimal(0))
    return {
        "station": station, "month": month, "target_cards": cards, "cards": len(won),
        "card_completion": round(len(won) / cards, 4) if cards else None,
        "target_top_up": str(top_up), "first_top_up": str(total),
        "top_up_completion": round(float(total / top_up), 4) if top_up else None,
    }  # fmt: skip


def _missing_forms(tx: Tx, rows: Rows, period: Period) -> Rows:
    """Each Sunday in the period, from the week of an area manager's first development on,
    the area manager owes a progress form (131); it is missing from the Monday after."""
    first: dict[str, str] = {}
    for r in rows:
        first[r["area_manager_id"]] = min(first.get(r["area_manager_id"], r["planned_at"]), r["planned_at"])  # fmt: skip
    submitted = {
        (f["area_manager_id"], f["week_ending"])
        for f in tx.all("SELECT area_manager_id, week_ending FROM ledger_rm_weekly_form")
    }
    missing = []
    for manager, since in sorted(first.items()):
        start = max(parse_ts(period.since), parse_ts(since))
        sunday = start + timedelta(days=(6 - start.weekday()) % 7)
        while sunday.date() < period.at.date():
            week = sunday.date().isoformat()
            if (manager, week) not in submitted:
                missing.append({"area_manager_id": manager, "week_ending": week})
            sunday += timedelta(days=7)
    return missing
