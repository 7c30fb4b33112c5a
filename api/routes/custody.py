"""Customers and leads: register, grade, assign, transfer (with approval), release, rotate."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from api.deps import LedgerDep, allow
from api.execute import execute, receipt_out
from api.schemas import (
    ApprovalIn,
    AssignIn,
    CommandIn,
    ExceptionRequestIn,
    GradeIn,
    LeadIn,
    ReceiptOut,
    RegisterIn,
    RejectionIn,
    ReleaseIn,
    RotateIn,
    SweepIn,
    TransferIn,
)
from ledger.commands.access import Principal
from ledger.enums import Source

router = APIRouter(tags=["custody"])
Who = Principal


def grant(body: AssignIn | TransferIn | RotateIn) -> str | None:
    return body.exception.grant_id if body.exception else None


@router.post("/customers", status_code=201)
def register_customer(
    body: RegisterIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.register"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.register_customer(
        body.name, Source(body.source), body.at(), who.actor, area=body.area
    ))  # fmt: skip


@router.post("/leads", status_code=201)
def register_lead(
    body: LeadIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("leads.register"))],
) -> ReceiptOut:  # fmt: skip
    """An inbound enquiry on a company line, placed at once by the lead allocator."""
    return execute(ledger, request, who, body, lambda: ledger.register_lead(
        body.name, body.channel, body.at(), who.actor, area=body.area
    ))  # fmt: skip


@router.post("/customers/{customer_id}/grade")
def grade_customer(
    customer_id: UUID, body: GradeIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.grade"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.grade_customer(
        customer_id, body.tier, body.reason, body.at(), who.actor, dict(body.inputs)
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/assignment")
def assign_customer(
    customer_id: UUID, body: AssignIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.assign"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.assign_customer(
        customer_id, body.staff_id, body.at(), who.actor, body.reason, grant(body),
        body.override_reason,
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/allocation")
def allocate_lead(
    customer_id: UUID, body: CommandIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.allocate"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.allocate_lead(
        customer_id, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/transfer")
def transfer_customer(
    customer_id: UUID, body: TransferIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.transfer"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.reassign_customer(
        customer_id, body.to_staff_id, body.reason_code, body.at(), who.actor, body.note,
        grant(body),
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/transfer-requests", status_code=201)
def request_transfer(
    customer_id: UUID, body: TransferIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.transfer"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.request_transfer(
        customer_id, body.to_staff_id, body.reason_code, body.at(), who.actor, body.note
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/transfer-requests/{request_id}/approval")
def approve_transfer(
    customer_id: UUID, request_id: str, body: ApprovalIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.approve_transfer"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.approve_transfer(
        customer_id, request_id, body.at(), who.actor, body.exception_reason
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/transfer-requests/{request_id}/rejection")
def reject_transfer(
    customer_id: UUID, request_id: str, body: RejectionIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.approve_transfer"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.reject_transfer(
        customer_id, request_id, body.reason, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/exception-requests", status_code=201)
def request_exception(
    customer_id: UUID,
    body: ExceptionRequestIn,
    request: Request,
    ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("exceptions.request"))],
) -> ReceiptOut:
    """Ask a manager for a rule exception; the receipt's `ref` names it in the move."""
    return execute(
        ledger,
        request,
        who,
        body,
        lambda: ledger.request_exception(
            customer_id, body.staff_id, body.reason, body.at(), who.actor
        ),
        customer_id,
    )


@router.post("/customers/{customer_id}/exception-requests/{grant_id}/approval")
def approve_exception(
    customer_id: UUID,
    grant_id: str,
    body: CommandIn,
    request: Request,
    ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("exceptions.approve"))],
) -> ReceiptOut:
    """A manager's own approval: the move that uses the exception records them as signer."""
    return execute(
        ledger,
        request,
        who,
        body,
        lambda: ledger.approve_exception(customer_id, grant_id, body.at(), who.actor),
        customer_id,
    )


@router.post("/customers/{customer_id}/release")
def release_customer(
    customer_id: UUID, body: ReleaseIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.release"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.release_customer(
        customer_id, body.reason_code, body.at(), who.actor, body.note
    ), customer_id)  # fmt: skip


@router.post("/customers/{customer_id}/rotation")
def rotate_customer(
    customer_id: UUID, body: RotateIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.rotate"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.rotate_customer(
        customer_id, body.at(), who.actor, body.to_staff_id, grant(body)
    ), customer_id)  # fmt: skip


@router.post("/neglect-sweeps")
def sweep_neglected(
    body: SweepIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("neglect.sweep"))],
) -> list[ReceiptOut]:  # fmt: skip
    """Releases each neglected customer among the candidates (each release its own decision)."""
    receipts = ledger.sweep_neglected(body.customer_ids, body.at(), who.actor)
    return [receipt_out(request, r) for r in receipts]
