"""The event feed for integrators: events after a position, in order, filterable by type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import LedgerDep, allow
from api.schemas import EventPageOut
from api.serialize import event_out
from ledger.commands.access import Principal
from ledger.event_types import topics_for

router = APIRouter(prefix="/events", tags=["events"])


@router.get("")
def feed(
    ledger: LedgerDep,
    who: Annotated[Principal, Depends(allow("events.feed"))],
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="A log position.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    type: Annotated[list[str] | None, Query(description="e.g. Customer.Assigned")] = None,
) -> EventPageOut:
    notifications = ledger.recorder.select_notifications(
        start=after, limit=limit, topics=topics_for(type or []), inclusive_of_start=False
    )
    events = [event_out(n, ledger.mapper.to_domain_event(n)) for n in notifications]
    return EventPageOut(events=events, next_after=notifications[-1].id if notifications else after)
