"""One handler per event class: the registry the projection dispatches on.

A new event class gets read-model support by adding one `@handles(ItsClass)` function in the
module of its area (`projections/ownership.py`, `projections/records.py`, `projections/people.py`);
events without a handler only advance the tracking position.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Any

from eventsourcing.utils import get_topic

from projections.schema import ts
from projections.store import Tx

Handler = Callable[[Tx, Any, int], None]
HANDLERS: dict[type, Handler] = {}


def handles(*classes: type) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for cls in classes:
            if cls in HANDLERS:
                raise TypeError(f"{cls.__qualname__} already has a read-model handler")
            HANDLERS[cls] = handler
        return handler

    return register


def handled_topics() -> list[str]:
    _load_handlers()
    return sorted(get_topic(cls) for cls in HANDLERS)


def dispatch(tx: Tx, domain_event: Any, position: int) -> None:
    handler = HANDLERS.get(type(domain_event))
    if handler is not None:
        handler(tx, domain_event, position)


def _load_handlers() -> None:
    from projections import ownership, people, privacy, records, workflows  # noqa: F401  (they register handlers)


def value(member: Enum | None) -> Any:
    return None if member is None else member.value


def as_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def update_row(tx: Tx, table: str, key: str, key_value: str, e: Any, assignments: str, **values: Any) -> None:  # fmt: skip
    """Update the row an aggregate's later event is about; `:at` and `:by` are that event's."""
    tx.execute(
        f"UPDATE {table} SET {assignments} WHERE {key}=:id",
        {"id": key_value, "at": ts(e.occurred_at), "by": e.by, **values},
    )
