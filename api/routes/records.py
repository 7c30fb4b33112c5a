"""The company's records of a customer: team, contacts, callbacks, expenses, contracts, complaints."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from api.deps import LedgerDep, allow
from api.errors import ApiError
from api.execute import execute
from api.schemas import AmountIn, CommandIn, ReceiptOut, Text
from ledger.commands.access import Principal
from ledger.enums import CallbackOutcome, ContactChannel, ContactKind, KeyRole, TeamRole

router = APIRouter(prefix="/customers/{customer_id}", tags=["records"])
Who = Principal


class TeamIn(CommandIn):
    staff_id: UUID
    team_role: TeamRole


class TeamRemovalIn(CommandIn):
    reason: str = Text


class ContactIn(CommandIn):
    staff_id: UUID | None = Field(
        default=None, description="Who met the customer; default: the caller."
    )
    kind: ContactKind
    channel: ContactChannel
    met: str = Text
    decision_maker_met: bool = False
    needs: str = Text
    next_step: str = Text
    channel_address: str | None = Field(
        default=None, max_length=200, description="The number or mailbox used; checked against "
        "the company's channel registry and flagged when it is not the company's.",
    )  # fmt: skip
    asked_for: str | None = Field(
        default=None, max_length=200,
        description="Inbound: whom the customer asked for, `company` or a person's name.",
    )  # fmt: skip


class CallbackIn(CommandIn):
    caller_id: UUID | None = Field(
        default=None, description="The callback agent; default: the caller."
    )
    outcome: CallbackOutcome
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    note: str = Text


class ContractIn(CommandIn):
    contract_ref: str = Field(min_length=1, max_length=200)
    value: Decimal = Field(ge=0, max_digits=16, decimal_places=2)


class ComplaintIn(CommandIn):
    summary: str = Field(min_length=1, max_length=2000)
    form: dict[str, Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict, max_length=50, description="The feedback form's fields."
    )


class ChannelIn(CommandIn):
    address: str = Field(min_length=1, max_length=200)


class KeyContactIn(CommandIn):
    person: str = Field(min_length=1, max_length=200)
    title: str = Text
    role: KeyRole


def staff_or_self(given: UUID | None, who: Principal) -> UUID:
    """A staff caller acts as themself unless they name someone; a client must name them."""
    if given is not None:
        return given
    if who.role is None:
        raise ApiError(422, "staff_required", "An integration client must name the staff member.")
    return UUID(who.actor)


@router.post("/team", status_code=201)
def add_team_member(
    customer_id: UUID, body: TeamIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("team.change"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.add_team_member(
        customer_id, body.staff_id, body.team_role, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/team/{staff_id}/removal")
def remove_team_member(
    customer_id: UUID, staff_id: UUID, body: TeamRemovalIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("team.change"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.remove_team_member(
        customer_id, staff_id, body.reason, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/contacts", status_code=201)
def record_contact(
    customer_id: UUID, body: ContactIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("contacts.record"))],
) -> ReceiptOut:  # fmt: skip
    """A visit, call, trip, email or meeting; `ref` in the answer is the contact's id."""
    person = staff_or_self(body.staff_id, who)
    return execute(ledger, request, who, body, lambda: ledger.record_contact(
        customer_id, person, body.kind, body.channel, body.at(), who.actor, body.met,
        body.decision_maker_met, body.needs, body.next_step, body.channel_address, body.asked_for,
    ), customer_id)  # fmt: skip


@router.post("/contacts/{contact_id}/callback")
def verify_contact(
    customer_id: UUID, contact_id: str, body: CallbackIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("callbacks.verify"))],
) -> ReceiptOut:  # fmt: skip
    caller = staff_or_self(body.caller_id, who)
    return execute(ledger, request, who, body, lambda: ledger.verify_contact(
        customer_id, contact_id, caller, body.outcome, body.at(), who.actor, body.satisfaction,
        body.note,
    ), customer_id)  # fmt: skip


@router.post("/contacts/{contact_id}/expense")
def claim_expense(
    customer_id: UUID, contact_id: str, body: AmountIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("expenses.claim"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.claim_expense(
        customer_id, contact_id, body.amount, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/contracts", status_code=201)
def sign_contract(
    customer_id: UUID, body: ContractIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("contracts.sign"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.sign_contract(
        customer_id, body.contract_ref, body.value, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/complaints", status_code=201)
def log_complaint(
    customer_id: UUID, body: ComplaintIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("complaints.log"))],
) -> ReceiptOut:  # fmt: skip
    return execute(ledger, request, who, body, lambda: ledger.log_complaint(
        customer_id, body.summary, body.at(), who.actor, dict(body.form)
    ), customer_id)  # fmt: skip


@router.post("/channel")
def set_customer_channel(
    customer_id: UUID, body: ChannelIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.channel"))],
) -> ReceiptOut:  # fmt: skip
    """The company number or mailbox the customer reaches the company on; never a private one."""
    return execute(ledger, request, who, body, lambda: ledger.set_customer_channel(
        customer_id, body.address, body.at(), who.actor
    ), customer_id)  # fmt: skip


@router.post("/key-contacts", status_code=201)
def record_key_contact(
    customer_id: UUID, body: KeyContactIn, request: Request, ledger: LedgerDep,
    who: Annotated[Who, Depends(allow("customers.key_contacts"))],
) -> ReceiptOut:  # fmt: skip
    """A decision maker, influencer or key contact; a replacement raises an early warning."""
    return execute(ledger, request, who, body, lambda: ledger.record_key_contact(
        customer_id, body.person, body.title, body.role, body.at(), who.actor
    ), customer_id)  # fmt: skip
