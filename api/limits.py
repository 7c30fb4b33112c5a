"""A ceiling on request bodies: a client cannot make the server read a gigabyte of JSON."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1 << 20  # 1 MiB: the largest command (a departure plan of thousands) fits easily


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse with 413 by Content-Length up front, or when a chunked body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        seen, too_large, answered = 0, False, False

        async def counted() -> Message:
            nonlocal seen, too_large
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                too_large = True
                raise BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            """Whatever the app makes of the aborted read (FastAPI answers 400), say 413."""
            nonlocal answered
            if not too_large:
                await send(message)
            elif not answered:
                answered = True
                await self._refuse(send)

        try:
            await self.app(scope, counted, answer)
        except BodyTooLarge:
            if not answered:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error: dict[str, Any] = {
            "code": "body_too_large",
            "message": f"A request body may be at most {self.limit} bytes; nothing was stored.",
            "params": {"limit": self.limit},
        }
        body = json.dumps({"error": error}).encode()
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})
