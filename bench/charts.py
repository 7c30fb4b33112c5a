"""Charts of a run (matplotlib, no display): one PNG per figure, value beside its baseline."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.results import Row

COLOURS = {"value": "#2b6cb0", "baseline": "#a0aec0"}


def draw(rows: list[Row], directory: Path, scale: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    by_section: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_section[row.section].append(row)
    paths = []
    for section, section_rows in by_section.items():
        number = section.split()[0]
        path = directory / f"{scale}-{number}.png"
        if number in ("1", "2"):
            _throughput(section, section_rows, path)
        else:
            _bars(section, section_rows, path)
        paths.append(path)
    return paths


def _throughput(section: str, rows: list[Row], path: Path) -> None:
    stores = sorted({r.store for r in rows})
    fig, axes = plt.subplots(1, len(stores), figsize=(6 * len(stores), 5.5), squeeze=False)
    for ax, store in zip(axes[0], stores, strict=True):
        lines: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for r in rows:
            if r.store == store and r.clients:
                lines[r.name].append((r.clients, r.value))
                if section.startswith("2") and r.baseline_value:
                    lines["library save (baseline)"].append((r.clients, r.baseline_value))
        for name, points in lines.items():
            xs, ys = zip(*sorted(set(points)), strict=True)
            style = "--" if "library" in name or "raw" in name else "-"
            ax.plot(xs, ys, style, marker="o", label=name)
        ax.set_title(f"{section} · {store}")
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel(rows[0].unit)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bars(section: str, rows: list[Row], path: Path) -> None:
    labels = [f"{r.name} · {r.store}" for r in rows]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.2))
    ys = range(len(rows))
    ax.barh([y + 0.2 for y in ys], [r.value for r in rows], 0.4, label="ledger", color=COLOURS["value"])  # fmt: skip
    ax.barh([y - 0.2 for y in ys], [r.baseline_value or 0 for r in rows], 0.4, label="baseline", color=COLOURS["baseline"])  # fmt: skip
    for y, r in zip(ys, rows, strict=True):
        text = f"{r.value:,.1f} {r.unit}" + (f"  (×{r.ratio:.2f})" if r.ratio is not None else "")
        ax.text(r.value, y + 0.2, " " + text, va="center", fontsize=7)
    ax.set_yticks(list(ys), labels, fontsize=7)
    ax.invert_yaxis()  # rows in table order, top down
    ax.set_xscale("log")
    smallest = min([r.value for r in rows] + [r.baseline_value or r.value for r in rows])
    ax.set_xlim(smallest / 3, max(r.value for r in rows) * 40)  # room for the labels
    ax.set_title(section)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
