"""Run one command for one request: idempotency key, If-Match, and the receipt as JSON."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import ExitStack
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel

from api.errors import ApiError
from api.positions import wrote
from api.schemas import ReceiptOut
from ledger.application import OwnershipLedger, Receipt
from ledger.commands.access import Principal
from ledger.idempotency import Replayed


def fingerprint(request: Request, payload: BaseModel | None) -> str:
    body = payload.model_dump_json() if payload is not None else ""
    return hashlib.sha256(f"{request.method} {request.url.path} {body}".encode()).hexdigest()


def expected_version(request: Request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    try:
        return int(header.strip().strip('W/"').strip('"'))
    except ValueError:
        raise ApiError(
            422, "invalid_if_match", "If-Match must be the customer's version number.", given=header
        ) from None


def execute(
    ledger: OwnershipLedger,
    request: Request,
    principal: Principal,
    payload: BaseModel | None,
    command: Callable[[], Receipt],
    customer_id: UUID | None = None,
) -> ReceiptOut:
    """Retries with the same Idempotency-Key get the first answer and store nothing new."""
    key = request.headers.get("Idempotency-Key")
    scoped = f"{principal.actor}:{key}" if key else None
    print_ = fingerprint(request, payload)
    if scoped:
        earlier = ledger.replayed_receipt(scoped, print_)
        if earlier is not None:
            return replayed(ledger, request, earlier)
    version = expected_version(request)
    with ExitStack() as stack:
        if scoped:
            stack.enter_context(ledger.idempotent(scoped, print_))
        if version is not None and customer_id is not None:
            stack.enter_context(ledger.expecting(customer_id, version))
        try:
            receipt = command()
        except Replayed as replay:
            return replayed(ledger, request, replay.receipt)
    return receipt_out(request, receipt)


def receipt_out(request: Request, receipt: Receipt) -> ReceiptOut:
    """The answer to a write: what changed and the log position a read can ask for."""
    request.app.state.after_write()
    wrote(request, receipt.last_position)
    return ReceiptOut(
        id=receipt.id,
        version=receipt.version,
        positions=receipt.positions,
        ref=receipt.ref,
        position=receipt.last_position,
    )


def replayed(ledger: OwnershipLedger, request: Request, first: dict[str, object]) -> ReceiptOut:
    """A retry's answer: the first one's, at a position that includes it (the log's head)."""
    position = ledger.event_count()
    wrote(request, position)
    return ReceiptOut(**first, replayed=True, position=position)  # type: ignore[arg-type]
