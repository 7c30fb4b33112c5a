"""Station customer development over HTTP: the logged steps, Sunday forms, monthly targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from api.deps import LedgerDep, allow
from api.execute import execute
from api.schemas import CommandIn, ReceiptOut, Text
from ledger.commands.access import Principal

router = APIRouter(tags=["development"])
Who = Principal
Short = Field(min_length=1, max_length=200)


class PlanIn(CommandIn):
    station: str = Short
    area_manager_id: UUID = Field(description="The area manager phoned before the visit.")
    target: str = Short
    level: str = Field(default="area", description="area or company (132)")


class VisitIn(CommandIn):
    result: str = Text
    reported_to: UUID = Field(description="The area manager the result was reported to.")


class EntryIn(CommandIn):
    entry: str = Field(min_length=1, max_length=2000)


class SuccessIn(CommandIn):
    card_ref: str = Short
    first_top_up: Decimal = Field(gt=0, max_digits=16, decimal_places=2)


class FilingIn(CommandIn):
    filing_ref: str = Short


class WeeklyIn(CommandIn):
    week_ending: date
    summary: str = Text
    developments: int = Field(ge=0, le=100_000)


class TargetIn(CommandIn):
    station: str = Short
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    cards: int = Field(ge=0, le=1_000_000)
    top_up: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    reason: str = Text


@router.post("/developments", status_code=201)
def plan_development(
    body: PlanIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.log"))],
) -> ReceiptOut:  # fmt: skip
    """The pre-visit call to the area manager opens the record (129)."""
    return execute(ledger, request, who, body, lambda: ledger.plan_development(
        body.station, body.area_manager_id, body.target, body.at(), who.actor, body.level
    ))  # fmt: skip


@router.post("/developments/{development_id}/visit")
def record_visit(
    development_id: UUID, body: VisitIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.log"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.record_development_visit(
        development_id, body.result, body.reported_to, body.at(), who.actor
    ))  # fmt: skip


@router.post("/developments/{development_id}/ledger-entry")
def enter_development(
    development_id: UUID, body: EntryIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.log"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.enter_development(
        development_id, body.entry, body.at(), who.actor
    ))  # fmt: skip


@router.post("/developments/{development_id}/success")
def record_success(
    development_id: UUID, body: SuccessIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.log"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.record_development_success(
        development_id, body.card_ref, body.first_top_up, body.at(), who.actor
    ))  # fmt: skip


@router.post("/developments/{development_id}/filing")
def file_development(
    development_id: UUID, body: FilingIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.file"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.file_development(
        development_id, body.filing_ref, body.at(), who.actor
    ))  # fmt: skip


@router.post("/weekly-forms", status_code=201)
def submit_weekly_form(
    body: WeeklyIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.manage"))],
) -> ReceiptOut:  # fmt: skip
    """The area manager's Sunday progress form (131)."""
    return execute(ledger, request, who, body, lambda: ledger.submit_weekly_progress(
        body.week_ending, body.summary, body.developments, body.at(), who.actor
    ))  # fmt: skip


@router.post("/station-targets")
def agree_target(
    body: TargetIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("development.manage"))],
) -> ReceiptOut:  # fmt: skip
    """A station's month target (133); posting the same station and month again revises it."""
    return execute(ledger, request, who, body, lambda: ledger.agree_station_target(
        body.station, body.month, body.cards, body.top_up, body.at(), who.actor, body.reason
    ))  # fmt: skip
