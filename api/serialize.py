"""Stored events as plain JSON for integrators."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from api.schemas import EventOut

HIDDEN = {"originator_id", "originator_version", "timestamp", "originator_topic"}


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
