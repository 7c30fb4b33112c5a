"""`ledger verify`: recompute the hash chain over the stored events and name the first break."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.chain import catch_up, check_snapshots, verify
from projections.guard import open_ledger, unguarded_tables

console = Console(highlight=False, soft_wrap=True)  # one line per fact, for scripts and logs


def _anchors(values: list[str]) -> dict[int, str]:
    anchors: dict[int, str] = {}
    for value in values:
        position, _, link = value.partition(":")
        if not position.isdigit() or len(link) != 64:
            raise typer.BadParameter(f"{value!r} is not POSITION:HASH (a 64-digit hex hash).")
        anchors[int(position)] = link
    return anchors


def verify_chain(
    anchor: Annotated[
        list[str] | None,
        typer.Option(help="A head published earlier, as POSITION:HASH; may be repeated."),
    ] = None,
) -> None:
    """Check every stored event against its link, then link the events added since."""
    anchors = _anchors(anchor or [])
    settings = LedgerSettings()
    plain = OwnershipLedger(settings)  # as found: opening it the usual way restores the guards
    try:
        missing = unguarded_tables(plain) if plain.event_count() else []
    finally:
        plain.close()
    for table in missing:
        console.print(
            f"[yellow]warning:[/] {table} did not refuse UPDATE and DELETE: its append-only "
            "guard was dropped or disabled (restored now); the chain below says whether rows changed."
        )
    ledger = open_ledger(settings)
    try:
        result = verify(ledger, anchors)
        if result.broken is not None:
            b = result.broken
            console.print(
                f"[red]chain broken at position {b.position}[/] "
                f"(originator {b.originator_id} version {b.originator_version}, {b.problem}): "
                f"{b.message}"
            )
            console.print(f"{result.checked} links before it are intact.")
            raise typer.Exit(code=1)
        head = catch_up(ledger)
        if head is None:
            console.print("chain intact, the store holds no events yet")
            return
        console.print(f"chain intact, head {head.link} at position {head.position}")
        console.print(
            f"{result.checked} links checked, {head.length - result.checked} new events linked, "
            f"{head.length} events in the chain."
        )
        if not _snapshots_intact(ledger):
            raise typer.Exit(code=1)
    finally:
        ledger.close()


def _snapshots_intact(ledger: OwnershipLedger) -> bool:
    """Snapshots are outside the chain: each must carry the ledger's seal to be used."""
    seals = check_snapshots(ledger)
    for originator, version in seals.broken:
        console.print(
            f"[red]snapshot of {originator} at version {version} fails its seal[/]: it was "
            "changed after the ledger wrote it; it is never used (the events rebuild that state)."
        )
    if seals.unsealed:
        console.print(
            f"[yellow]warning:[/] {len(seals.unsealed)} snapshots carry no seal (written before "
            "seals, or stripped); they are never used."
        )
    console.print(
        f"{seals.checked - len(seals.broken) - len(seals.unsealed)} of {seals.checked} snapshots "
        "sealed."
    )
    return seals.intact
