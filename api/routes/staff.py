"""Staff: join, change, announce a departure, depart with a plan."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from api.deps import LedgerDep, allow
from api.execute import execute
from api.schemas import AnnounceIn, AreaIn, DepartIn, JoinIn, ReceiptOut, SeniorityIn
from ledger.commands.access import Principal

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post("", status_code=201)
def join_staff(
    body: JoinIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("staff.join"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.join_staff(
        body.name, body.role, body.seniority, body.team, body.area, body.at(), who.actor
    ))  # fmt: skip


@router.post("/{staff_id}/seniority")
def change_seniority(
    staff_id: UUID, body: SeniorityIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("staff.change"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.change_seniority(
        staff_id, body.seniority, body.reason, body.at(), who.actor
    ))  # fmt: skip


@router.post("/{staff_id}/area")
def change_area(
    staff_id: UUID, body: AreaIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("staff.change"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.change_area(
        staff_id, body.area, body.reason, body.at(), who.actor
    ))  # fmt: skip


@router.post("/{staff_id}/departure-announcement")
def announce_departure(
    staff_id: UUID, body: AnnounceIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("staff.announce_departure"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.announce_departure(
        staff_id, body.effective_at, body.reason, body.at(), who.actor
    ))  # fmt: skip


@router.post("/{staff_id}/departure")
def record_departure(
    staff_id: UUID, body: DepartIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("staff.depart"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.record_departure(
        staff_id, body.reason, body.at(), who.actor, plan=dict(body.plan)
    ))  # fmt: skip
