"""No private use of customer data over HTTP: data shares, exports, violations, the access audit.

A refused export answers 403 with the rule's code, like a refused file read, and both are
recorded: `params.attempt_id` names the stored attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, Field, field_validator

from api.deps import LedgerDep, allow
from api.errors import ApiError
from api.execute import execute
from api.routes.queries import ModelsDep
from api.schemas import CommandIn, ReceiptOut, Text
from ledger.clock import aware
from ledger.commands.access import Principal
from ledger.enums import Severity, ShareScope
from projections import privacy
from projections.scope import scope_of, scoped

router = APIRouter(tags=["privacy"])
Terms = Field(min_length=1, max_length=2000)


class ShareIn(CommandIn):
    recipient: str = Terms
    purpose: str = Terms
    scope: ShareScope
    scope_values: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=10_000, description="Customer ids, or one holder id, or one area."
    )
    valid_from: AwareDatetime
    valid_to: AwareDatetime

    @field_validator("valid_from", "valid_to")
    @classmethod
    def period_plausible(cls, value: datetime) -> datetime:
        return within_years(value, "a share's period")


class ApproveShareIn(CommandIn):
    note: str = Text


class RevokeShareIn(CommandIn):
    reason: str = Text


class ExportIn(CommandIn):
    customer_ids: list[UUID] = Field(min_length=1, max_length=10_000)
    recipient: str = Terms
    purpose: str = Terms
    share_id: UUID | None = Field(
        default=None, description="The approval relied on; default: any that covers the export."
    )


class ViolationIn(CommandIn):
    staff_id: UUID
    severity: Severity
    description: str = Terms
    export_id: UUID | None = Field(default=None, description="A recorded export attempt.")
    plan: dict[UUID, UUID | None] | None = Field(
        default=None, description="Malicious only: each customer's successor (null: the pool)."
    )


class InvestigationClosureIn(CommandIn):
    finding: str = Terms
    warning: bool = False


@router.post("/data-shares", status_code=201)
def request_share(
    body: ShareIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("shares.request"))],
) -> ReceiptOut:  # fmt: skip
    """Ask for a hand-over of customer data; nothing is covered until a manager approves."""
    return execute(ledger, request, who, body, lambda: ledger.request_data_share(
        body.recipient, body.purpose, body.scope, body.scope_values, body.valid_from,
        body.valid_to, body.at(), who.actor,
    ))  # fmt: skip


@router.post("/data-shares/{share_id}/approval")
def approve_share(
    share_id: UUID, body: ApproveShareIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("shares.approve"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.approve_data_share(
        share_id, body.note, body.at(), who.actor
    ))  # fmt: skip


@router.post("/data-shares/{share_id}/revocation")
def revoke_share(
    share_id: UUID, body: RevokeShareIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("shares.revoke"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.revoke_data_share(
        share_id, body.reason, body.at(), who.actor
    ))  # fmt: skip


@router.post("/data-exports", status_code=201)
def request_data_export(
    body: ExportIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("exports.request"))],
) -> ReceiptOut:  # fmt: skip
    """Export customer data under an approved share; `ref` is the share relied on."""
    return execute(ledger, request, who, body, lambda: ledger.export_customer_data(
        body.customer_ids, body.recipient, body.purpose, body.at(), who.actor, body.share_id
    ))  # fmt: skip


@router.post("/violations", status_code=201)
def record_violation(
    body: ViolationIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("violations.record"))],
) -> ReceiptOut:  # fmt: skip
    """Minor: warning and stop order; serious: investigation; malicious: termination."""
    plan = dict(body.plan) if body.plan is not None else None
    return execute(ledger, request, who, body, lambda: ledger.record_violation(
        body.staff_id, body.severity, body.description, body.at(), who.actor,
        export_id=body.export_id, plan=plan,
    ))  # fmt: skip


@router.post("/violations/{violation_id}/investigation-closure")
def close_investigation(
    violation_id: UUID, body: InvestigationClosureIn, request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("violations.close_investigation"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.close_investigation(
        violation_id, body.finding, body.at(), who.actor, warning=body.warning
    ))  # fmt: skip


def within_years(value: datetime, name: str) -> datetime:
    """Years far from now would overflow on conversion to UTC; no real period needs them."""
    if not 1990 <= value.year <= 9000:
        raise ValueError(f"{name} must lie between the years 1990 and 9000")
    return aware(value, name)


def bounds(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    try:
        return (
            within_years(start, "from") if start else None,
            within_years(end, "to") if end else None,
        )
    except ValueError as refusal:
        raise ApiError(422, "time_out_of_range", str(refusal)) from None


Since = Annotated[datetime | None, Query(alias="from", description="Inclusive, business time.")]
Until = Annotated[datetime | None, Query(alias="to", description="Exclusive, business time.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per section, newest first.")]


@router.get("/audit/access")
def get_access_audit(
    read: ModelsDep, ledger: LedgerDep, who: Annotated[Principal, Depends(allow("access.audit"))],
    customer: UUID | None = None, staff: UUID | None = None,
    start: Since = None, end: Until = None, limit: Limit = 1000,
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Who read which customer file and when, refused reads, exports and approved shares.

    Refusals are recorded without a receipt to wait for, so the audit first waits for every
    event recorded so far.
    """
    read.wait_for(ledger.event_count())
    with read.read() as tx:
        audit = privacy.access_audit(
            tx, str(customer) if customer else None, str(staff) if staff else None,
            *bounds(start, end), limit,
        )  # fmt: skip
        return scoped(audit, scope_of(tx, who.actor))  # a manager audits their team's files


@router.get("/violations")
def list_violations(
    read: ModelsDep, who: Annotated[Principal, Depends(allow("violations.read"))],
    staff: UUID | None = None, severity: Severity | None = None,
    start: Since = None, end: Until = None, limit: Limit = 1000,
) -> list[dict[str, Any]]:  # fmt: skip
    """Violations by person, severity and period, with the warnings, investigations, terminations."""
    with read.read() as tx:
        return privacy.violations(
            tx, str(staff) if staff else None, severity.value if severity else None,
            *bounds(start, end), limit,
        )  # fmt: skip
