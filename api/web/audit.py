"""The access audit page: who read which customer file and when, refused reads, data shares.

It calls the same query as `GET /audit/access` (projections/privacy.py) behind the same
permission, `access.audit`, and waits for the read models the same way: a refused read is
recorded without a receipt to wait for.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from api.routes.queries import ModelsDep
from api.web.filters import Filters, filters, moment, number
from api.web.pages import page
from api.web.session import PageRefused, PageRoute, viewer
from ledger.commands.access import Principal
from projections import privacy
from projections.scope import scope_of, scoped

router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
Auditor = Annotated[Principal, Depends(viewer("access.audit"))]
IdText = Annotated[str | None, Query(max_length=100)]


def optional_id(text: str | None, name: str) -> str | None:
    if not text:
        return None
    try:
        return str(UUID(text.strip()))
    except ValueError:
        raise PageRefused(422, f"{name}: '{text}' is not an id.") from None


def readers(reads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per reader: how many reads of how many customers' files, the busiest first."""
    seen: dict[str, dict[str, Any]] = {}
    for r in reads:
        row = seen.setdefault(r["reader"], {"reader": r["reader"], "name": r["reader_name"], "role": r["reader_role"], "reads": 0, "files": set()})  # fmt: skip
        row["reads"] += 1
        row["files"].add(r["customer_id"])
    return sorted(({**row, "files": len(row["files"])} for row in seen.values()), key=lambda r: -r["reads"])  # fmt: skip


@router.get("/audit")
def access_audit(
    request: Request, who: Auditor, read: ModelsDep,
    chosen: Annotated[Filters, Depends(filters)],
    customer: IdText = None, staff: IdText = None, limit: IdText = None,
) -> Response:  # fmt: skip
    """Reads, refused reads, exports and approved data shares, newest first, filtered."""
    read.wait_for(request.app.state.ledger.event_count())
    customer_id, staff_id = optional_id(customer, "customer"), optional_id(staff, "staff")
    rows = number(limit, "limit", 1000) or 200
    with read.read() as tx:
        audit = privacy.access_audit(
            tx, customer_id, staff_id, moment(chosen.start, "from"), moment(chosen.end, "to"), rows
        )
        audit = scoped(audit, scope_of(tx, who.actor))
        return page(
            request, "audit.html", who, tx, chosen, audit=audit, readers=readers(audit["reads"]),
            customer=customer_id or "", staff_filter=staff_id or "", limit=rows,
        )  # fmt: skip
