"""Reads from the read models: ownership now and as of any instant, custody, files, reports.

Every read of one customer's information passes the permission rule and is itself recorded,
so that "no private use" can be audited (SEED-RULES 12, 17).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import allow
from api.errors import ApiError
from api.positions import read_models
from api.schemas import FileReadPageOut, PoolPageOut
from ledger.clock import aware, utcnow
from ledger.commands.access import Principal
from projections import queries
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from projections.scope import report_for, scope_of, scoped_rows
from projections.tabular import spreadsheet_safe

router = APIRouter(tags=["queries"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


ModelsDep = Annotated[ReadModels, Depends(read_models)]


def audited(request: Request, who: Principal, customer_id: UUID, what: str) -> None:
    """Integration clients have no file access; staff pass the permission rule, recorded.

    The read does not wait for its own record: no answer but the access audit shows reads,
    and the audit waits for every event recorded before it.
    """
    if who.role is None:
        raise ApiError(
            403, "client_reads_no_file", "Integration clients do not read customer files."
        )
    request.app.state.ledger.read_customer_file(who.actor, customer_id, what, utcnow())


def page(rows: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"total": len(rows), "offset": offset, "items": rows[offset : offset + limit]}


@router.get("/customers/{customer_id}")
def get_customer_file(
    customer_id: UUID, request: Request, read: ModelsDep,
    who: Annotated[Principal, Depends(allow("customers.read"))],
) -> dict[str, Any]:  # fmt: skip
    """The customer file (客户档案): base data, tier history, contacts, callbacks, complaints, team."""
    audited(request, who, customer_id, "file")
    with read.read() as tx:
        return queries.customer_file(tx, str(customer_id))


@router.get("/customers/{customer_id}/holder")
def get_holder(
    customer_id: UUID, request: Request, read: ModelsDep,
    who: Annotated[Principal, Depends(allow("customers.read"))],
    at: Annotated[datetime | None, Query(description="Business time; default now.")] = None,
    known_at: Annotated[datetime | None, Query(description="As the ledger knew it then.")] = None,
) -> dict[str, Any]:  # fmt: skip
    """Who held the customer at business time `at`, as known at record time `known_at`."""
    audited(request, who, customer_id, "holder")
    with read.read() as tx:
        if at is None and known_at is None:
            return asdict(queries.holder_now(tx, str(customer_id)))
        interval = queries.holder_as_of(
            tx, str(customer_id), aware(at or utcnow(), "at"),
            aware(known_at, "known_at") if known_at else None,
        )  # fmt: skip
    return {"customer_id": str(customer_id), "holding": asdict(interval) if interval else None}


@router.get("/customers/{customer_id}/custody")
def get_custody(
    customer_id: UUID, request: Request, read: ModelsDep,
    who: Annotated[Principal, Depends(allow("customers.read"))],
    limit: Limit = 100, offset: Offset = 0,
) -> dict[str, Any]:  # fmt: skip
    """The chain of custody: every move, request, approval and rule decision, in order."""
    audited(request, who, customer_id, "custody")
    with read.read() as tx:
        return page(queries.chain_of_custody(tx, str(customer_id)), limit, offset)


@router.get("/customers/{customer_id}/team")
def get_customer_team(
    customer_id: UUID, request: Request, read: ModelsDep,
    who: Annotated[Principal, Depends(allow("customers.read"))],
) -> list[dict[str, Any]]:  # fmt: skip
    audited(request, who, customer_id, "team")
    with read.read() as tx:
        return queries.team(tx, str(customer_id))


@router.get("/customers/{customer_id}/reads")
def list_file_reads(
    customer_id: UUID, read: ModelsDep,
    who: Annotated[Principal, Depends(allow("reads.audit"))],
    limit: Limit = 100, offset: Offset = 0,
) -> FileReadPageOut:  # fmt: skip
    """Who read this customer's file, when, what, and whether it was allowed."""
    with read.read() as tx:
        rows = queries.file_reads(tx, str(customer_id))
    return FileReadPageOut.model_validate(page(rows, limit, offset))


@router.get("/staff/{staff_id}/book")
def get_staff_book(
    staff_id: UUID, read: ModelsDep,
    who: Annotated[Principal, Depends(allow("staff.book"))],
    at: Annotated[datetime | None, Query()] = None,
    known_at: Annotated[datetime | None, Query()] = None,
) -> dict[str, Any]:  # fmt: skip
    """A rep's holdings by tier now, or the customers held at `at` as known at `known_at`."""
    with read.read() as tx:
        allowed = scope_of(tx, who.actor)  # a manager sees another team's book as empty
        if at is None and known_at is None:
            book = queries.book(tx, str(staff_id))
            return {
                t: [asdict(h) for h in hs if allowed is None or h.customer_id in allowed]
                for t, hs in book.items()
            }
        held = queries.book_as_of(
            tx, str(staff_id), aware(at or utcnow(), "at"),
            aware(known_at, "known_at") if known_at else None,
        )  # fmt: skip
        rows = [{"customer_id": c, "since": since} for c, since in held]
        return {"held": scoped_rows(rows, allowed)}


@router.get("/pool")
def list_pool(
    read: ModelsDep, who: Annotated[Principal, Depends(allow("pool.read"))],
    limit: Limit = 100, offset: Offset = 0,
) -> PoolPageOut:  # fmt: skip
    """Customers in the company pool: unheld, waiting for the allocator or the team."""
    with read.read() as tx:
        rows = scoped_rows(queries.company_pool(tx), scope_of(tx, who.actor))
    return PoolPageOut.model_validate(page(rows, limit, offset))


@router.get("/reports/{name}", response_model=None)
def get_report(
    name: str, read: ModelsDep, who: Annotated[Principal, Depends(allow("reports.read"))],
    at: Annotated[datetime | None, Query(description="The instant judged; default now.")] = None,
    known_at: Annotated[datetime | None, Query()] = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    top: Annotated[int, Query(ge=1, le=1000)] = 20,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    limit: Limit = 1000, offset: Offset = 0,
) -> dict[str, Any] | Response:  # fmt: skip
    """Any report of docs/REPORTS.md by name, as JSON sections or as one CSV."""
    if name not in REPORTS:
        raise ApiError(
            404, "unknown_report", f"No report '{name}'. Reports: {', '.join(REPORTS)}.", name=name
        )
    period = Period(
        at=aware(at, "at") if at else utcnow(), start=aware(start, "from") if start else None,
        end=aware(end, "to") if end else None, days=days, top=top,
        known_at=aware(known_at, "known_at") if known_at else None,
    )  # fmt: skip
    with read.read() as tx:
        sections = report_for(tx, who.actor, name, period)  # only files the reader may open
    if format == "csv":
        return Response(as_csv(sections), media_type="text/csv")
    return {key: page(rows, limit, offset) for key, rows in sections.items()}


def as_csv(sections: dict[str, list[dict[str, Any]]]) -> str:
    """One table: a `section` column, then the union of every section's columns."""
    fields = ["section", *dict.fromkeys(k for rows in sections.values() for r in rows for k in r)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for section, rows in sections.items():
        for row in rows:
            writer.writerow(
                {"section": section, **{k: spreadsheet_safe(v) for k, v in row.items()}}
            )
    return out.getvalue()
