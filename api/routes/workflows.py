"""Record workflows over HTTP: trips and reimbursement, complaint steps, the channel registry."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from api.deps import LedgerDep, allow
from api.execute import execute
from api.routes.records import staff_or_self
from api.schemas import AmountIn, CommandIn, ReceiptOut, Text
from ledger.commands.access import Principal
from ledger.enums import CallbackOutcome

router = APIRouter(tags=["workflows"])
Who = Principal
Step = Field(min_length=1, max_length=2000)


class TripIn(CommandIn):
    customer_id: UUID
    staff_id: UUID | None = Field(default=None, description="The traveller; default: the caller.")
    purpose: str = Field(default="sales", description="sales or after_sales")
    met: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    decision_maker_met: bool = False
    needs: str = Text
    key_information: str = Text
    next_step: str = Text


class AmendmentIn(CommandIn):
    changes: dict[str, Any] = Field(description="Some of met, decision_maker_met, needs, ...")


class ReviewIn(CommandIn):
    signed: bool
    note: str = Text


class BackfillIn(CommandIn):
    entries: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        min_length=1, max_length=100
    )


class NoteIn(CommandIn):
    note: str = Text


class TripCallbackIn(CommandIn):
    caller_id: UUID | None = Field(default=None, description="The agent; default: the caller.")
    outcome: CallbackOutcome
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    differences: str = Text
    problems: str = Text


class ReplyIn(CommandIn):
    reply: str = Step


class InvestigationIn(CommandIn):
    cause: str = Step
    corrective: str = Step
    preventive: str = Step
    escalated_to: str | None = Field(default=None, max_length=200)


class RecheckIn(CommandIn):
    result: str = Step


class ConfirmationIn(CommandIn):
    satisfaction: int = Field(ge=1, le=5)
    note: str = Text


class FeedbackIn(CommandIn):
    to: list[str] = Field(min_length=1, max_length=5, description="design, production, ...")
    note: str = Text


class ComplaintClosureIn(CommandIn):
    resolution: str = Step


# --- trips ------------------------------------------------------------------------------------


@router.post("/trips", status_code=201)
def record_trip(
    body: TripIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("trips.record"))],
) -> ReceiptOut:  # fmt: skip
    """A trip record; `id` in the answer is the trip's id for the steps that follow."""
    traveller = staff_or_self(body.staff_id, who)
    return execute(ledger, request, who, body, lambda: ledger.record_trip(
        body.customer_id, traveller, body.at(), who.actor, body.purpose, body.met,
        body.decision_maker_met, body.needs, body.key_information, body.next_step,
    ))  # fmt: skip


@router.post("/trips/{trip_id}/amendment")
def amend_trip(
    trip_id: UUID, body: AmendmentIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("trips.record"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.amend_trip(
        trip_id, body.changes, body.at(), who.actor
    ))  # fmt: skip


@router.post("/trips/{trip_id}/review")
def review_trip(
    trip_id: UUID, body: ReviewIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("trips.review"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.review_trip(
        trip_id, body.signed, body.note, body.at(), who.actor
    ))  # fmt: skip


@router.post("/trips/{trip_id}/backfill")
def backfill_trip(
    trip_id: UUID, body: BackfillIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("trips.file"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.backfill_trip(
        trip_id, body.entries, body.at(), who.actor
    ))  # fmt: skip


@router.post("/trips/{trip_id}/qualification")
def qualify_trip(
    trip_id: UUID, body: NoteIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("trips.file"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.qualify_trip(
        trip_id, body.note, body.at(), who.actor
    ))  # fmt: skip


@router.post("/trips/{trip_id}/expense")
def claim_trip_expense(
    trip_id: UUID, body: AmountIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("expenses.claim"))],
) -> ReceiptOut:  # fmt: skip
    amount: Decimal = body.amount
    return execute(ledger, request, who, body, lambda: ledger.claim_trip_expense(
        trip_id, amount, body.at(), who.actor
    ))  # fmt: skip


@router.post("/trips/{trip_id}/expense/approval")
def approve_trip_expense(
    trip_id: UUID, body: NoteIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("expenses.approve"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.approve_trip_expense(
        trip_id, body.at(), who.actor
    ))  # fmt: skip


@router.post("/trips/{trip_id}/callback")
def verify_trip(
    trip_id: UUID, body: TripCallbackIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("callbacks.verify"))],
) -> ReceiptOut:  # fmt: skip
    caller = staff_or_self(body.caller_id, who)
    return execute(ledger, request, who, body, lambda: ledger.verify_trip(
        trip_id, caller, body.outcome, body.at(), who.actor, body.satisfaction,
        body.differences, body.problems,
    ))  # fmt: skip


# --- complaints --------------------------------------------------------------------------------


@router.post("/complaints/{complaint_id}/reply")
def reply_complaint(
    complaint_id: UUID, body: ReplyIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("complaints.resolve"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.reply_complaint(
        complaint_id.hex, body.reply, body.at(), who.actor
    ))  # fmt: skip


@router.post("/complaints/{complaint_id}/investigation")
def investigate_complaint(
    complaint_id: UUID, body: InvestigationIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("complaints.resolve"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.investigate_complaint(
        complaint_id.hex, body.cause, body.corrective, body.preventive, body.at(), who.actor,
        body.escalated_to,
    ))  # fmt: skip


@router.post("/complaints/{complaint_id}/recheck")
def recheck_complaint(
    complaint_id: UUID, body: RecheckIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("complaints.resolve"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.recheck_complaint(
        complaint_id.hex, body.result, body.at(), who.actor
    ))  # fmt: skip


@router.post("/complaints/{complaint_id}/confirmation")
def confirm_complaint(
    complaint_id: UUID, body: ConfirmationIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("callbacks.verify"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.confirm_complaint(
        complaint_id.hex, body.satisfaction, body.note, body.at(), who.actor
    ))  # fmt: skip


@router.post("/complaints/{complaint_id}/feedback")
def feed_back_complaint(
    complaint_id: UUID, body: FeedbackIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("complaints.resolve"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.feed_back_complaint(
        complaint_id.hex, body.to, body.note, body.at(), who.actor
    ))  # fmt: skip


@router.post("/complaints/{complaint_id}/closure")
def close_complaint(
    complaint_id: UUID, body: ComplaintClosureIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("complaints.resolve"))],
) -> ReceiptOut:  # fmt: skip
    """Refused (409 complaint_close_incomplete) until every step of the four no-omissions."""
    return execute(ledger, request, who, body, lambda: ledger.close_complaint(
        complaint_id.hex, body.resolution, body.at(), who.actor
    ))  # fmt: skip


# --- the company's channel registry -------------------------------------------------------------


class ChannelRegistrationIn(CommandIn):
    address: str = Field(min_length=1, max_length=200)
    kind: str = Field(default="phone", description="phone or mailbox")
    assigned_to: str = Field(min_length=1, max_length=200, description="A staff id or a line.")


class ChannelRetirementIn(CommandIn):
    address: str = Field(min_length=1, max_length=200)
    reason: str = Step


@router.post("/channels", status_code=201)
def register_channel(
    body: ChannelRegistrationIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("channels.manage"))],
) -> ReceiptOut:  # fmt: skip
    """A company-owned number or mailbox (38–40); contacts on anything else are flagged."""
    return execute(ledger, request, who, body, lambda: ledger.register_channel(
        body.address, body.kind, body.assigned_to, body.at(), who.actor
    ))  # fmt: skip


@router.post("/channels/retirement")
def retire_channel(
    body: ChannelRetirementIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("channels.manage"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.retire_channel(
        body.address, body.reason, body.at(), who.actor
    ))  # fmt: skip
