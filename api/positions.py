"""Read your writes by log position, across any number of API workers.

Every write answers with the log position it reached (`position` in the body and the
`Ledger-Position` header). A read given a minimum position (`?min_position=` or the
`Ledger-Min-Position` header) waits, up to `READ_WAIT` seconds, until the read models include
it, and answers 503 `read_models_behind` if they do not. Every read answers with the position
its read models had reached (`Ledger-Position`) and how many recorded events they did not
include yet (`Ledger-Behind`). Nothing here lives in one worker's memory: the position is in
the store, so a client that sends back what its last write returned reads it on any worker.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import Header, Query, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.errors import InvalidInput
from projections.readmodels import ReadModels

READ_WAIT = 5.0  # seconds a read waits for its minimum position before answering 503
POSITION = "Ledger-Position"
BEHIND = "Ledger-Behind"
MIN_POSITION = "Ledger-Min-Position"
WORKER = "Ledger-Worker"
_STATE_KEY = "ledger_headers"


def answer_headers(request: Request, headers: dict[str, int]) -> None:
    """Headers the response will carry (set by routes and dependencies, added on the way out)."""
    pending: dict[str, str] = request.scope.setdefault("state", {}).setdefault(_STATE_KEY, {})
    pending.update((name, str(value)) for name, value in headers.items())


def wrote(request: Request, position: int) -> None:
    answer_headers(request, {POSITION: position})


def read_models(
    request: Request,
    min_position: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**62,
            description="Answer only once the read models include this log position (a write's `position`).",
        ),
    ] = None,
    header_position: Annotated[
        int | None,
        Header(alias=MIN_POSITION, ge=0, le=2**62, description="As `min_position`, as a header."),
    ] = None,
) -> ReadModels:
    """The read models, once they include the position the caller asks for (if any)."""
    models: ReadModels = request.app.state.read_models
    wanted = max((p for p in (min_position, header_position) if p is not None), default=0)
    head = request.app.state.ledger.event_count()
    if wanted > head:  # no write ever answered with it: waiting could never end
        raise InvalidInput(
            "position_not_recorded",
            f"The log has reached position {head}; {wanted} was never a write's position.",
            position=wanted,
            head=head,
        )
    reached = models.wait_for(wanted, READ_WAIT) if wanted else models.served_position()
    answer_headers(request, {POSITION: reached, BEHIND: max(head - reached, 0)})
    return models


class PositionHeaders:
    """Adds the headers routes asked for, and which worker answered, to every response.

    Plain ASGI (not BaseHTTPMiddleware, which cost every request about a millisecond), so it
    also reaches responses that routes build themselves (CSV, HTML, errors).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.worker = (WORKER.lower().encode(), str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                pending = scope.get("state", {}).get(_STATE_KEY, {})
                extra = [(k.lower().encode(), v.encode()) for k, v in pending.items()]
                message["headers"] = [*message.get("headers", ()), *extra, self.worker]
            await send(message)

        await self.app(scope, receive, send_with_headers)
