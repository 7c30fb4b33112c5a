"""Typed dependencies: the ledger, the calling principal, and a permission check per operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.permissions import allowed
from ledger.application import OwnershipLedger
from ledger.clock import utcnow
from ledger.commands.access import Principal
from ledger.errors import LedgerError

bearer = HTTPBearer(auto_error=False, description="A token from `ledger token issue`.")


def get_ledger(request: Request) -> OwnershipLedger:
    ledger: OwnershipLedger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[OwnershipLedger, Depends(get_ledger)]


def get_principal(
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(401, "A bearer token is required.", {"WWW-Authenticate": "Bearer"})
    try:
        return ledger.principal(credentials.credentials, utcnow())
    except LedgerError as refusal:
        raise HTTPException(401, refusal.message, {"WWW-Authenticate": "Bearer"}) from None


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allow(operation: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only the roles and client scopes of `operation`."""

    def check(principal: PrincipalDep) -> Principal:
        if not allowed(operation, principal.role, principal.scopes):
            who = principal.role.value if principal.role else "this client"
            raise HTTPException(403, f"{who} may not {operation}.")
        return principal

    return check
