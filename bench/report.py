"""The results as a rich table, as docs/PERFORMANCE.md (one block per scale) and as charts."""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.results import Row

APPEND_HERE = "<!-- bench:append-here -->"
HEADER = """# Performance

Measured by `python -m bench`; every figure beside the baseline it was measured with, on the
same store, in the same run. Each scale's section below is rewritten by its own run; the text
outside the sections is written by hand.
"""


def machine(stores: dict[str, str]) -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    ram = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        ram = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB" if found else ram
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load average (1, 5, 15 min) at the end": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        **stores,
    }


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}" if abs(value) >= 1 else f"{value:.3g}"


def ratio(row: Row) -> str:
    return "" if row.ratio is None else f"{row.ratio:.2f}"


def table(rows: list[Row], title: str) -> Table:
    out = Table(title=title, show_lines=False)
    for column in ("figure", "store", "clients", "value", "unit", "p50 ms", "p99 ms",
                   "baseline", "base value", "ratio", "target", "met?"):  # fmt: skip
        out.add_column(column, justify="right" if column in ("value", "base value", "ratio") else "left")  # fmt: skip
    section = ""
    for row in rows:
        if row.section != section:
            section = row.section
            out.add_section()
        verdict = {True: "[green]met[/]", False: "[red]NOT met[/]", None: ""}[row.met]
        out.add_row(
            f"{row.section[:1]} {row.name}", row.store, str(row.clients or ""), fmt(row.value),
            row.unit, fmt(row.p50, 2), fmt(row.p99, 2), row.baseline, fmt(row.baseline_value),
            ratio(row), row.target, verdict,
        )  # fmt: skip
    return out


def markdown_rows(rows: list[Row]) -> list[str]:
    lines = [
        "| figure | store | clients | value | unit | p50 ms | p99 ms | baseline | baseline value | ratio | target | met? | note |",
        "|---|---|---:|---:|---|---:|---:|---|---:|---:|---|---|---|",
    ]
    for r in rows:
        verdict = {True: "**met**", False: "**NOT met**", None: ""}[r.met]
        cells = (r.name, r.store, str(r.clients or ""), fmt(r.value), r.unit, fmt(r.p50, 2),
                 fmt(r.p99, 2), r.baseline, fmt(r.baseline_value), ratio(r), r.target, verdict,
                 r.note.replace("|", "/"))  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def verdicts(rows: list[Row]) -> list[str]:
    judged = [r for r in rows if r.met is not None]
    met = [r for r in judged if r.met]
    lines = [f"{len(met)} of {len(judged)} targeted figures met."]
    for r in judged:
        label = "met" if r.met else "NOT met"
        where = f"{r.store}" + (f", {r.clients} clients" if r.clients else "")
        ratio_text = f", ratio {r.ratio:.2f}" if r.ratio is not None else ""
        p99 = f", p99 {r.p99:.1f} ms" if r.p99 is not None and "HTTP" in r.section else ""
        lines.append(f"- {label}: {r.section} · {r.name} ({where}): {fmt(r.value)} {r.unit}{ratio_text}{p99}; target {r.target}")  # fmt: skip
    return lines


def section_block(scale: str, rows: list[Row], box: dict[str, str], command: str, charts: list[Path], docs: Path) -> str:  # fmt: skip
    out = [f"<!-- bench:{scale}:begin -->", f"## Scale: {scale}", "",
           f"`{command}`, {box['date']}.", "",
           "| machine | |", "|---|---|"]  # fmt: skip
    out += [f"| {k} | {v} |" for k, v in box.items() if k != "date"]
    by_section: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_section[r.section].append(r)
    chart_for = {c.stem.rsplit("-", 1)[1]: c for c in charts}
    for section, section_rows in by_section.items():
        when = ", ".join(sorted({r.measured for r in section_rows if r.measured}))
        out += ["", f"### {section}", "", f"Measured {when}.", "", *markdown_rows(section_rows)]
        chart = chart_for.get(section.split()[0])
        if chart is not None:
            out += ["", f"![{section}]({chart.relative_to(docs).as_posix()})"]
    out += ["", f"### Targets at this scale ({scale})", "", *verdicts(rows), f"<!-- bench:{scale}:end -->"]  # fmt: skip
    return "\n".join(out) + "\n"


def write_markdown(path: Path, scale: str, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(rf"<!-- bench:{scale}:begin -->.*?<!-- bench:{scale}:end -->\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    elif APPEND_HERE in text:  # new scales go above the hand-written closing note
        text = text.replace(APPEND_HERE, block + "\n" + APPEND_HERE)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, rows: list[Row], box: dict[str, str]) -> None:
    payload = {"machine": box, "rows": [asdict(r) | {"ratio": r.ratio} for r in rows]}
    path.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")


def print_table(console: Console, rows: list[Row], scale: str) -> None:
    console.print(table(rows, f"ledger benchmarks · scale {scale}"))
