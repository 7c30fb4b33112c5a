"""The hash chain's head, to anchor the history outside the ledger (send it to the auditor)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.deps import LedgerDep, allow
from ledger.commands.access import Principal
from projections.chain import chain_head

router = APIRouter(prefix="/chain", tags=["integrity"])


@router.get("/head")
def get_chain_head(
    ledger: LedgerDep, who: Annotated[Principal, Depends(allow("chain.head"))]
) -> dict[str, Any]:
    """Links any new events first; an empty ledger has no head yet (position 0)."""
    current = chain_head(ledger)
    return current.to_dict() if current else {"position": 0, "link": None, "length": 0}
