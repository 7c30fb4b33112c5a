"""Typed dependencies: the ledger, the calling principal, and a permission check per operation."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
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


class PrincipalCache:
    """Who a token is, remembered for `TTL` seconds per worker, never longer.

    The lookup reads the store (and first checks it for newer events); a client's burst of
    requests then pays it once. A revoked token, or a departed person's, stops working within
    `TTL` on every worker. Refusals are not remembered: a new token works at once.
    """

    TTL = 0.5
    MAX = 10_000

    def __init__(self) -> None:
        self._known: dict[str, tuple[float, Principal]] = {}

    def resolve(self, ledger: OwnershipLedger, token: str) -> Principal:
        now = time.monotonic()
        known = self._known.get(token)
        if known is not None and known[0] > now:
            return known[1]
        principal = ledger.principal(token, utcnow())
        if len(self._known) >= self.MAX:
            self._known.clear()
        self._known[token] = (now + self.TTL, principal)
        return principal


def get_principal(
    request: Request,
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise ApiError(
            401, "missing_token", "A bearer token is required.", {"WWW-Authenticate": "Bearer"}
        )
    try:
        cache: PrincipalCache = request.app.state.principals
        return cache.resolve(ledger, credentials.credentials)
    except LedgerError as refusal:
        raise ApiError(401, refusal.code, refusal.message, {"WWW-Authenticate": "Bearer"}) from None


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allow(operation: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only the roles and client scopes of `operation`."""

    def check(principal: PrincipalDep) -> Principal:
        if not allowed(operation, principal.role, principal.scopes):
            who = principal.role.value if principal.role else "this client"
            raise ApiError(
                403, "forbidden", f"{who} may not {operation}.", operation=operation, role=who
            )
        return principal

    return check
