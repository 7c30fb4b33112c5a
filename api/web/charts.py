"""Dashboard charts drawn on the server with matplotlib and inlined as SVG: no script, no CDN.

Figures are built with the object API (`Figure`), never `pyplot`, so that pages rendered in
parallel threads share no global figure state. Every bar carries a `gid`, so the SVG names what
it draws (`leads-<staff id>`, `holding-<n>`) and a test can count it.
"""

from __future__ import annotations

import io
from datetime import datetime

import matplotlib
from markupsafe import Markup
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from api.web.timeline import Row

# Text stays text in the SVG: smaller pages, the browser's font, and readable by tests.
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["font.size"] = 9
# Labels are stored names: "$\\undefinedmacro$" is someone's name, not TeX. With mathtext on,
# one such name made every chart that shows it raise, and the page with it.
matplotlib.rcParams["text.parse_math"] = False

TIER_COLOURS = {"A": "#1f4e79", "B": "#4f81bd", "C": "#a6c8e8", "ungraded": "#d0d0d0"}
OUTCOME_STYLE = {
    None: ("#8c8c8c", "o", "contact, not verified"),
    "confirmed": ("#2e7d32", "o", "callback confirmed"),
    "discrepancy": ("#c62828", "X", "callback found a discrepancy"),
    "unreachable": ("#ef6c00", "s", "callback unreachable"),
}


def svg(figure: Figure) -> Markup:
    """The figure as an inline `<svg>` element (the XML prolog dropped)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return Markup(text[text.index("<svg") :])


def _time(text: str | datetime) -> float:
    moment = text if isinstance(text, datetime) else datetime.fromisoformat(text)
    return float(date2num(moment))  # type: ignore[no-untyped-call]


def _names(ax: Axes, labels: list[str]) -> None:
    ax.set_xticks(range(len(labels)), labels, rotation=50, ha="right", rotation_mode="anchor")
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.01)


def _legend_above(ax: Axes) -> None:
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, frameon=False, fontsize=8)


def fairness_chart(per_rep: list[Row]) -> Markup:
    """Inbound leads per eligible rep: allocator's picks, other placements, and the expected share."""
    reps = sorted(per_rep, key=lambda r: (-r["leads"], r["rep"]))
    figure = Figure(figsize=(6.4, 3.6))
    ax = figure.add_subplot()
    x = range(len(reps))
    allocated = [r["allocated"] for r in reps]
    others = [r["leads"] - r["allocated"] for r in reps]
    bars = ax.bar(x, allocated, color="#4f81bd", label="by the allocator")
    ax.bar(x, others, bottom=allocated, color="#ef6c00", label="placed otherwise (overrides)")
    for bar, rep in zip(bars, reps, strict=True):
        bar.set_gid(f"leads-{rep['staff_id']}")
    ax.scatter(x, [r["expected"] for r in reps], marker="_", s=300, color="black", zorder=3,
               label="expected by the allocator's weights")  # fmt: skip
    ax.set_ylabel("company-channel leads")
    _names(ax, [r["rep"] for r in reps])
    _legend_above(ax)
    return svg(figure)


def concentration_chart(per_rep: list[Row]) -> Markup:
    """Customers held now per rep, stacked by tier, the biggest books first."""
    reps = sorted(per_rep, key=lambda r: (-r["total"], r["rep"]))
    figure = Figure(figsize=(6.4, 3.6))
    ax = figure.add_subplot()
    x = range(len(reps))
    bottom = [0] * len(reps)
    for tier in ("A", "B", "C", "ungraded"):
        heights = [r[tier] for r in reps]
        if not any(heights):
            continue
        bars = ax.bar(x, heights, bottom=bottom, color=TIER_COLOURS[tier], label=tier if tier == "ungraded" else f"tier {tier}")  # fmt: skip
        for bar, rep in zip(bars, reps, strict=True):
            bar.set_gid(f"held-{tier}-{rep['staff_id']}")
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel("customers held now")
    _names(ax, [r["rep"] for r in reps])
    _legend_above(ax)
    return svg(figure)


def timeline_chart(
    intervals: list[Row], file: Row, names: dict[str, str], until: datetime
) -> Markup:
    """One lane per person: holdings as bars, contacts as dots coloured by what callbacks found."""
    lanes = _lanes(intervals, file["contacts"])
    labels = [names.get(lane, lane) if lane != "pool" else "company pool" for lane in lanes]
    figure = Figure(figsize=(11, 0.9 + 0.38 * (len(lanes) + 1)))
    ax = figure.add_subplot()
    row = {lane: n for n, lane in enumerate(lanes)}
    end = _time(until)
    for n, held in enumerate(intervals):
        start, stop = (
            _time(held["valid_from"]),
            _time(held["valid_to"]) if held["valid_to"] else end,
        )
        lane = held["holder"] or "pool"
        colour = "#bcd4ee" if held["holder"] else "#e0e0e0"
        bars = ax.broken_barh(
            [(start, max(stop - start, 0.5))], (row[lane] - 0.3, 0.6), color=colour
        )
        bars.set_gid(f"holding-{n}")
    for outcome, (colour, marker, label) in OUTCOME_STYLE.items():
        points = [c for c in file["contacts"] if c["outcome"] == outcome]
        if points:
            ax.scatter([_time(c["occurred_at"]) for c in points], [row[c["staff_id"]] for c in points],
                       color=colour, marker=marker, s=28, zorder=3, label=label)  # fmt: skip
    _complaints(ax, file["complaints"], len(lanes), end)
    ax.set_yticks(range(len(lanes) + 1), [*labels, "complaints"])
    ax.set_ylim(len(lanes) + 0.6, -0.6)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return svg(figure)


def _lanes(intervals: list[Row], contacts: list[Row]) -> list[str]:
    """Holders in the order they took the customer, then others in the order they made contact."""
    order = [h["holder"] or "pool" for h in intervals if h["valid_to"] != h["valid_from"]]
    order += [c["staff_id"] for c in contacts]
    return list(dict.fromkeys(order))


def _complaints(ax: Axes, complaints: list[Row], lane: int, end: float) -> None:
    for complaint in complaints:
        logged = _time(complaint["logged_at"])
        closed = _time(complaint["resolved_at"]) if complaint["resolved_at"] else end
        colour = "#2e7d32" if complaint["resolved_at"] else "#c62828"
        ax.plot([logged, max(closed, logged + 0.5)], [lane, lane], color=colour, linewidth=3)
        ax.scatter([logged], [lane], marker="v", color="#c62828", s=40, zorder=3)
