"""The hash chain's head, to anchor the history outside the ledger (send it to the auditor)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import LedgerDep, allow
from api.schemas import ChainHeadOut
from ledger.commands.access import Principal
from projections.chain import chain_head

router = APIRouter(prefix="/chain", tags=["integrity"])


@router.get("/head")
def get_chain_head(
    ledger: LedgerDep, who: Annotated[Principal, Depends(allow("chain.head"))]
) -> ChainHeadOut:
    """Links any new events first; an empty ledger has no head yet (position 0)."""
    current = chain_head(ledger)
    if current is None:
        return ChainHeadOut(position=0, link=None, length=0)
    return ChainHeadOut(position=current.position, link=current.link, length=current.length)
