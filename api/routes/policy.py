"""The company policy: the version in force at a time, and adopting a new version."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.deps import LedgerDep, allow
from api.execute import execute
from api.schemas import PolicyIn, PolicyOut, ReceiptOut
from ledger.clock import utcnow
from ledger.commands.access import Principal

router = APIRouter(prefix="/policy", tags=["policy"])


@router.get("")
def get_policy(
    ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("policy.show"))],
    at: Annotated[datetime | None, Query(description="Business time; default now.")] = None,
) -> PolicyOut:
    version = ledger.policy_in_force(at or utcnow())
    return PolicyOut(
        version=version.version, effective_at=version.effective_at, params=version.params.to_dict()
    )


@router.post("", status_code=201)
def adopt_policy(
    body: PolicyIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("policy.adopt"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.adopt_policy(
        body.params, body.effective_at, body.reason, body.at(), who.actor
    ))  # fmt: skip
