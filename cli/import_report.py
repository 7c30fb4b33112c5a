"""The import report: what an import would write (or wrote), and every line it leaves out."""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ledger.commands.importing import ImportPlan
from projections.tabular import terminal_safe

console = Console(highlight=False)
SHOWN = 30  # skipped lines in the table; --format json lists them all


@dataclass
class Outcome:
    source: str
    plan: ImportPlan
    dry_run: bool
    skip_bad: bool
    seconds: float | None = None

    @property
    def refused(self) -> bool:
        """Lines that cannot be imported, and no --skip-bad: the whole import is refused."""
        return self.plan.refused and not self.skip_bad

    @property
    def writes(self) -> bool:
        return not self.dry_run and not self.refused

    def verdict(self) -> str:
        plan, written = self.plan, self.plan.written
        if written is not None:
            rate = ""
            if self.seconds:
                rate = f" in {self.seconds:.1f} s ({written / self.seconds:,.0f} events/s)"
            return f"imported: {written:,} events written{rate}"
        if self.refused:
            return (
                f"refused: {len(plan.skipped):,} lines cannot be imported; nothing was written "
                "(fix them, or pass --skip-bad to import the rest)"
            )
        return f"dry run: {plan.events:,} events would be written; nothing was written"

    def as_dict(self) -> dict[str, object]:
        plan = self.plan
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "refused": self.refused,
            "events": plan.events,
            "written": plan.written,
            "seconds": self.seconds,
            "facts": dict(plan.facts),
            "already_in_the_ledger": dict(plan.recorded),
            "skipped": [
                {
                    "file": s.file,
                    "line": s.line,
                    "column": s.column,
                    "code": s.code,
                    "reason": s.reason,
                }
                for s in plan.skipped
            ],
            "notes": plan.notes,
            "verdict": self.verdict(),
        }


def print_report(outcome: Outcome, output: str) -> None:
    if output == "json":
        print(json.dumps(outcome.as_dict(), indent=2, default=str))
        return
    plan = outcome.plan
    new = "written" if plan.written is not None else "to write"
    console.print(Text(f"{outcome.source} import — {outcome.verdict()}", style="bold"))
    facts = Table()
    for column in ("records", new, "already in the ledger"):
        facts.add_column(column, justify="left" if column == "records" else "right")
    for label in sorted(set(plan.facts) | set(plan.recorded)):
        facts.add_row(label, f"{plan.facts[label]:,}", f"{plan.recorded[label]:,}")
    facts.add_row("events", f"{plan.events:,}", "", style="bold")
    console.print(facts)
    if plan.skipped:
        lines = Table(title=f"{len(plan.skipped):,} lines skipped", title_justify="left")
        for column in ("file", "line", "column", "reason"):
            lines.add_column(column, overflow="fold")
        for s in plan.skipped[:SHOWN]:
            lines.add_row(
                *(Text(terminal_safe(str(v))) for v in (s.file, s.line, s.column, s.reason))
            )
        if len(plan.skipped) > SHOWN:
            lines.caption = f"… and {len(plan.skipped) - SHOWN:,} more: --format json lists all"
        console.print(lines)
    for note in plan.notes:
        console.print(Text(f"• {terminal_safe(note)}"))
