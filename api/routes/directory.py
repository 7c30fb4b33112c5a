"""Finding customers and staff by name: lists scoped to what their reader may open."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import allow
from api.routes.queries import ModelsDep
from ledger.commands.access import Principal
from ledger.enums import Role, Seniority, Tier
from projections import directory
from projections.scope import scope_of

router = APIRouter(tags=["directory"])
Search = Annotated[str, Query(max_length=200, description="A part of the name, any case.")]
After = Annotated[str | None, Query(max_length=2000, description="The `next` of the page before.")]
Limit = Annotated[int, Query(ge=1, le=directory.MAX_LIMIT)]


class CustomerRowOut(BaseModel):
    customer_id: UUID
    name: str
    tier: Tier | None
    holder: UUID | None
    holder_name: str | None
    team: str | None = Field(description="The holder's team.")
    held_since: datetime | None
    source_ref: str | None = Field(description="The CRM's id, for a customer adopted from one.")


class CustomerPageOut(BaseModel):
    items: list[CustomerRowOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last.")


class StaffRowOut(BaseModel):
    staff_id: UUID
    name: str
    role: Role
    seniority: Seniority | None
    team: str
    area: str
    status: str


class StaffPageOut(BaseModel):
    items: list[StaffRowOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last.")


@router.get("/customers")
def list_customers(
    read: ModelsDep,
    who: Annotated[Principal, Depends(allow("customers.read"))],
    q: Search = "",
    holder: UUID | None = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    tier: Tier | None = None,
    pool: Annotated[bool | None, Query(description="Only unheld (true) or held (false).")] = None,
    after: After = None,
    limit: Limit = 100,
) -> CustomerPageOut:
    """Customers by name, holder, team, tier or pool: only those whose file the reader may open."""
    with read.read() as tx:
        page = directory.customer_list(
            tx,
            scope_of(tx, who.actor),
            q,
            str(holder) if holder else None,
            team,
            tier.value if tier else None,
            pool,
            after,
            limit,
        )
    items = [CustomerRowOut.model_validate(row) for row in page.items]
    return CustomerPageOut(items=items, next=page.next)


@router.get("/staff")
def list_staff(
    read: ModelsDep,
    who: Annotated[Principal, Depends(allow("staff.list"))],
    q: Search = "",
    team: Annotated[str | None, Query(max_length=200)] = None,
    role: Role | None = None,
    after: After = None,
    limit: Limit = 100,
) -> StaffPageOut:
    """The staff directory by name, team and role: who to assign, call or ask."""
    with read.read() as tx:
        page = directory.staff_list(tx, q, team, role.value if role else None, after, limit)
    return StaffPageOut(items=[StaffRowOut.model_validate(r) for r in page.items], next=page.next)
