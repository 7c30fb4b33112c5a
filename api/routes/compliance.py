"""Compliance: the chain-of-custody export with its proof, and the policy what-if."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from api.deps import LedgerDep, allow
from api.routes.queries import audited
from api.schemas import storable
from ledger.commands.access import Principal
from ledger.errors import AccessDenied, InvalidInput
from ledger.policy import PolicyParams
from ledger.policyfile import checked_policy, parse_policy
from ledger.rules.access import READ_ALL
from projections.export import CustodyExport, Scope, build_export
from projections.export_formats import FORMATS, MEDIA_TYPES, render
from projections.whatif import what_if

router = APIRouter(tags=["compliance"])
PAGE_LIMIT, MAX_LIMIT = 1000, 10_000


class WhatIfIn(BaseModel):
    """A candidate policy, as JSON `params` or as `toml` text, and the period to replay."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    params: dict[str, Any] | None = Field(
        default=None, description="The candidate's rule parameters (keys as in GET /policy)."
    )
    toml: str | None = Field(
        default=None, max_length=100_000, description="The candidate as a TOML policy file."
    )
    start: AwareDatetime = Field(alias="from", description="Period start (business time).")
    end: AwareDatetime = Field(alias="to", description="Period end, not included.")
    top: int | None = Field(default=None, ge=1, le=1000, description="Default: the top fifth.")
    listed: int = Field(default=10, ge=0, le=1000, description="Differing decisions to list.")

    @model_validator(mode="after")
    def plain_text(self) -> WhatIfIn:
        """Text the answer may echo back: valid Unicode without NUL characters."""
        if not storable(self.model_dump(mode="json")):
            raise ValueError("text must be valid Unicode without NUL characters")
        return self

    def candidate(self) -> PolicyParams:
        if self.toml is not None and self.params is None:
            return parse_policy(self.toml, "toml")
        if self.params is not None and self.toml is None:
            return checked_policy(self.params)
        raise InvalidInput(
            "whatif_policy_missing",
            "Give the candidate policy once: as `params` (JSON) or as `toml` (TOML text).",
        )


@router.get("/exports/custody", response_model=None)
def export_custody(
    request: Request, ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("exports.custody"))],
    customer: Annotated[UUID | None, Query(description="One customer's whole history.")] = None,
    start: Annotated[datetime | None, Query(alias="from", description="Period start.")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Period end, excluded.")] = None,
    format: Annotated[str, Query(max_length=20, description="json, csv or html.")] = "json",
    chain: Annotated[str, Query(pattern="^(whole|links)$", description="Verify the whole chain, or the exported links only.")] = "whole",
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="A log position: the page starts after it (a previous page's `next`).")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Events in the page.")] = PAGE_LIMIT,
) -> Response:  # fmt: skip
    """Every ownership event of a customer or a period, with the chain links that prove it.

    A customer's export is a read of its file: allowed by the file permission and recorded.

    One answer is one page, so that it stays bounded: the first `limit` events of the scope at
    log positions after `after`, each with its proof, and the policy versions they name. Where
    more follow, JSON says where the next page starts in `next` (null on the last page), and
    every format carries a `Link: <...&after=N&limit=M>; rel="next"` header (none on the last
    page). Pages are cut in the log's order, so walking them from `after=0` until there is no
    next gives each event of the scope once, events recorded meanwhile included; rows within a
    page are in business-time order, as in the whole export.
    """
    if format not in FORMATS:
        raise InvalidInput(
            "export_format_unknown",
            f"Export format '{format}' is not one of {', '.join(FORMATS)}; for a PDF, print the "
            "html page.",
            format=format,
        )
    scope = Scope(str(customer) if customer else None, start, end).checked()
    if customer is None and who.role not in READ_ALL:
        raise AccessDenied(
            "period_export_denied",
            "A period's export holds every customer's history: auditors and admins export "
            "periods; a manager exports one customer's file at a time (SEED-RULES 12, 17).",
            role=who.role.value if who.role else None,
            rule="access",
        )
    if customer is not None:
        audited(request, who, customer, "custody_export")
    export = build_export(ledger, scope, whole_chain=chain == "whole", after=after, limit=limit)
    headers = _export_headers(request, export, limit)
    if format == "csv":
        headers["Content-Disposition"] = 'attachment; filename="custody-export.csv"'
    return Response(render(export, format), media_type=MEDIA_TYPES[format], headers=headers)


def _export_headers(request: Request, export: CustodyExport, limit: int) -> dict[str, str]:
    """The head and verdict, and the next page's address for the formats without a `next`."""
    head = export.head
    headers = {
        "X-Ledger-Chain-Head": f"{head.position}:{head.link}" if head else "0:",
        "X-Ledger-Verified": str(export.verified).lower(),
    }
    if export.next_after is not None:
        following = request.url.include_query_params(after=export.next_after, limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return headers


@router.post("/policy/whatif")
def policy_what_if(
    body: WhatIfIn, ledger: LedgerDep, who: Annotated[Principal, Depends(allow("policy.whatif"))]
) -> dict[str, Any]:
    """Replay the period's allocator decisions under the candidate policy; stores nothing."""
    result = what_if(ledger, body.candidate(), body.start, body.end, body.top, body.listed)
    return result.to_dict()
