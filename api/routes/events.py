"""The event feed for integrators: events after a position, in order, filterable by type.

A JSON page for clients that poll; JSON Lines (`Accept: application/x-ndjson` or
`?format=jsonl`) for warehouses, streamed up to the log's head as the request found it, so the
answer ends. Either resumes from the last position received, given back as `after`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from api.deps import LedgerDep, allow
from api.schemas import EventPageOut
from api.serialize import event_out, events_after, json_line
from ledger.application import OwnershipLedger
from ledger.commands.access import Principal
from ledger.event_types import topics_for

router = APIRouter(prefix="/events", tags=["events"])

JSON_LINES = "application/x-ndjson"
JSON_LINES_TYPES = {JSON_LINES, "application/jsonl"}
STREAM_HEAD = "Ledger-Stream-Head"
PAGE_LIMIT = 100
LIMIT = "Events in a page (default 100), or lines streamed (default: every one up to the head)."
STREAMED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of events, or (JSON Lines) one `EventOut` per line.",
        "content": {JSON_LINES: {"schema": {"$ref": "#/components/schemas/EventOut"}}},
        "headers": {
            STREAM_HEAD: {
                "description": "JSON Lines only: the log position the stream reads up to.",
                "schema": {"type": "integer"},
            }
        },
    }
}


class FeedFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"


def wants_lines(accept: str | None, format: FeedFormat | None) -> bool:
    """`?format=` wins over the Accept header, which a browser or proxy may have set."""
    if format is not None:
        return format is FeedFormat.JSONL
    media = {part.split(";", 1)[0].strip().lower() for part in (accept or "").split(",")}
    return not media.isdisjoint(JSON_LINES_TYPES)


@router.get("", response_model=EventPageOut, responses=STREAMED)
def list_events(
    request: Request,
    ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("events.feed"))],
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="A log position.")] = 0,
    limit: Annotated[int | None, Query(ge=1, le=1000, description=LIMIT)] = None,
    type: Annotated[list[str] | None, Query(description="e.g. Customer.Assigned")] = None,
    format: Annotated[
        FeedFormat | None, Query(description="jsonl: as `Accept: application/x-ndjson`.")
    ] = None,
) -> EventPageOut | StreamingResponse:
    """Events after a position: a JSON page, or JSON Lines streamed up to the log's head."""
    topics = topics_for(type or [])
    if wants_lines(request.headers.get("accept"), format):
        return stream(ledger, after, topics, limit)
    notifications = ledger.recorder.select_notifications(
        start=after, limit=limit or PAGE_LIMIT, topics=topics, inclusive_of_start=False
    )
    events = [event_out(n, ledger.mapper.to_domain_event(n)) for n in notifications]
    return EventPageOut(events=events, next_after=notifications[-1].id if notifications else after)


def stream(
    ledger: OwnershipLedger, after: int, topics: Sequence[str], limit: int | None
) -> StreamingResponse:
    """The first page is read before the answer starts, so a failing store still answers with
    the error envelope; a later failure cuts the stream, and the client resumes after the last
    line it received."""
    head = ledger.event_count()
    events = events_after(ledger, after, head, topics, limit)
    first = next(events, None)
    lines = map(json_line, chain([] if first is None else [first], events))
    return StreamingResponse(lines, media_type=JSON_LINES, headers={STREAM_HEAD: str(head)})
