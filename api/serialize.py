"""Stored events as plain JSON for integrators: a page, or JSON Lines read a page at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from api.schemas import EventOut
from ledger.application import OwnershipLedger

HIDDEN = {"originator_id", "originator_version", "timestamp", "originator_topic"}
PAGE = 1000  # notifications per select: a stream of the whole log holds one page in memory


def plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def event_type(topic: str) -> str:
    """`ledger.customer:Customer.Assigned` is published as `Customer.Assigned`."""
    return topic.split(":", 1)[1]


def event_out(notification: Notification, domain_event: Any) -> EventOut:
    data = {k: plain(v) for k, v in domain_event.__dict__.items() if k not in HIDDEN}
    return EventOut(
        position=notification.id,
        type=event_type(notification.topic),
        originator_id=domain_event.originator_id,
        originator_version=domain_event.originator_version,
        recorded_at=domain_event.timestamp,
        data=data,
    )


def events_after(
    ledger: OwnershipLedger,
    after: int,
    head: int,
    topics: Sequence[str] = (),
    limit: int | None = None,
) -> Iterator[EventOut]:
    """The events after `after` up to `head`, in order, selected `PAGE` at a time, so that an
    export of millions of events never holds more than one page."""
    left = limit
    while after < head and left != 0:
        size = PAGE if left is None else min(PAGE, left)
        page = ledger.recorder.select_notifications(
            start=after, limit=size, stop=head, topics=topics, inclusive_of_start=False
        )
        yield from (event_out(n, ledger.mapper.to_domain_event(n)) for n in page)
        if len(page) < size:
            return
        after = page[-1].id
        left = None if left is None else left - len(page)


def json_line(event: EventOut) -> str:
    """One line of JSON Lines: the API's stream and `ledger export events` write the same."""
    return event.model_dump_json() + "\n"
