"""Bootstrap and access: add staff, issue and revoke API tokens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from ledger.application import OwnershipLedger
from ledger.clock import utcnow
from ledger.enums import Role, Seniority
from ledger.errors import LedgerError
from projections.guard import open_ledger

staff_app = typer.Typer(help="Staff members.")
token_app = typer.Typer(help="API bearer tokens (stored hashed).")
console = Console()


def _ledger() -> OwnershipLedger:
    return open_ledger()


def _refused(refusal: LedgerError) -> typer.Exit:
    console.print(f"[red]Refused {refusal.code}[/]: {refusal.message}")
    return typer.Exit(code=1)


@staff_app.command("join")
def join(
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[Role, typer.Option(help="Role.")],
    team: Annotated[str, typer.Option(help="Team.")] = "head-office",
    area: Annotated[str, typer.Option(help="Area.")] = "head-office",
    seniority: Annotated[Seniority | None, typer.Option(help="Sales seniority.")] = None,
) -> None:
    """Add a staff member (the first admin is added this way)."""
    try:
        receipt = _ledger().join_staff(name, role, seniority, team, area, utcnow(), "system:cli")
    except LedgerError as refusal:
        raise _refused(refusal) from None
    console.print(str(receipt.id))


@token_app.command("issue")
def issue(
    staff: Annotated[UUID | None, typer.Option(help="Staff id the token acts as.")] = None,
    client: Annotated[str | None, typer.Option(help="Integration client name.")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="Client scope (repeat).")] = None,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Print a new token once; the ledger keeps only its SHA-256 digest."""
    try:
        token, _ = _ledger().issue_token(
            utcnow(), "system:cli", staff, client, frozenset(scope or ()), label
        )
    except LedgerError as refusal:
        raise _refused(refusal) from None
    console.print(token)


@token_app.command("revoke")
def revoke(token: str, reason: Annotated[str, typer.Option(help="Why.")] = "") -> None:
    """Revoke a token at once."""
    try:
        _ledger().revoke_token(token, reason, utcnow(), "system:cli")
    except LedgerError as refusal:
        raise _refused(refusal) from None
    console.print("revoked")
