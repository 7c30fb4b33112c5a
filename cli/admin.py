"""Bootstrap and access: add staff, issue and revoke API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ledger.application import OwnershipLedger
from ledger.clock import utcnow
from ledger.enums import Role, Seniority
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from projections import directory
from projections.guard import open_ledger
from projections.readmodels import catch_up
from projections.tabular import terminal_safe

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


@staff_app.command("list")
def list_staff(
    q: Annotated[str, typer.Option("--q", help="A part of the name, any case.")] = "",
    team: Annotated[str | None, typer.Option(help="Only this team.")] = None,
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
) -> None:
    """The staff directory, to find the id a command or a token needs."""
    models = catch_up(LedgerSettings())
    try:
        with models.read() as tx:
            page = directory.staff_list(tx, q, team, role.value if role else None, None, 1000)
    finally:
        models.close()
    table = Table(title=f"{len(page.items)} staff" + (" (the first 1000)" if page.next else ""))
    for column in ("name", "role", "seniority", "team", "area", "status", "id"):
        table.add_column(column, overflow="fold")
    for row in page.items:
        cells = (
            row["name"],
            row["role"],
            row["seniority"] or "",
            row["team"],
            row["area"],
            row["status"],
            row["staff_id"],
        )
        table.add_row(*(Text(terminal_safe(str(c))) for c in cells))
    Console().print(table)  # as wide as the terminal is now


@token_app.command("issue")
def issue(
    staff: Annotated[UUID | None, typer.Option(help="Staff id the token acts as.")] = None,
    client: Annotated[str | None, typer.Option(help="Integration client name.")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="Client scope (repeat).")] = None,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    expires_in: Annotated[
        float | None, typer.Option(min=0.001, help="Days until the token stops working.")
    ] = None,
) -> None:
    """Print a new token once; the ledger keeps only its SHA-256 digest."""
    now = utcnow()
    expires = now + timedelta(days=expires_in) if expires_in else None
    try:
        token, _ = _ledger().issue_token(
            now, "system:cli", staff, client, frozenset(scope or ()), label, expires
        )
    except LedgerError as refusal:
        raise _refused(refusal) from None
    console.print(token)


@token_app.command("list")
def list_tokens() -> None:
    """Every token issued: for whom, why, until when, revoked or not (never the token)."""
    ledger = _ledger()
    try:
        tokens = ledger.tokens()
        names = {}
        for info in tokens:
            if not info.subject.startswith("client:") and info.subject not in names:
                try:
                    names[info.subject] = ledger.staff_view(info.subject).name
                except LedgerError:
                    names[info.subject] = info.subject
    finally:
        ledger.close()
    now = utcnow()
    table = Table(title=f"{len(tokens)} tokens")
    for column in ("id", "for", "scopes", "label", "issued", "expires", "status"):
        table.add_column(column, overflow="fold")
    for info in tokens:
        cells = (
            str(info.token_id)[:8],
            names.get(info.subject, info.subject),
            ", ".join(info.scopes),
            info.label,
            info.issued_at.isoformat(timespec="seconds"),
            info.expires_at.isoformat(timespec="seconds") if info.expires_at else "never",
            info.status(now),
        )
        table.add_row(*(Text(terminal_safe(c)) for c in cells))
    Console().print(table)  # as wide as the terminal is now


@token_app.command("revoke")
def revoke(token: str, reason: Annotated[str, typer.Option(help="Why.")] = "") -> None:
    """Revoke a token at once."""
    try:
        _ledger().revoke_token(token, reason, utcnow(), "system:cli")
    except LedgerError as refusal:
        raise _refused(refusal) from None
    console.print("revoked")
