"""Uvicorn's HTTP protocols with a deadline for the request line and headers.

Uvicorn bounds an idle kept-alive connection (`--keep-alive`) but not a client that connects and
then sends its headers slowly or never (slowloris): each such connection was held for ever. The
clock starts when the connection is made, or at the first byte of a later request (the idle time
before it stays the keep-alive's), and stops when the headers are complete. A client that sent
part of a request then gets a 408; one that sent nothing is only closed. The request body is not
timed here. `ledger serve --header-timeout S` sets the seconds, for its workers, in
LEDGER_HEADER_TIMEOUT.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

HEADER_TIMEOUT = "LEDGER_HEADER_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
_LATE = b"The request's headers did not arrive in time.\n"


def header_timeout() -> float:
    """Read per connection, so a test can set it for a server in its own process."""
    return float(os.environ.get(HEADER_TIMEOUT) or DEFAULT_TIMEOUT)


class HeaderDeadline:
    """The clock both protocols share: armed once per request, stopped by complete headers.

    It never runs while a response is in progress: a request the client pipelined behind it
    gets its clock when that response is complete.
    """

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    server_state: ServerState
    cycle: Any
    _deadline: asyncio.TimerHandle | None = None
    _began = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._expect_headers(received=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)  # type: ignore[misc]

    def _expect_headers(self, received: bool) -> None:
        """Later bytes do not push the deadline back: a trickle of them is the attack."""
        self._began = self._began or received
        busy = self.cycle is not None and not self.cycle.response_complete
        if self._deadline is None and not busy:
            self._deadline = self.loop.call_later(header_timeout(), self._headers_late)

    def _headers_done(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._began = None, False

    def _headers_late(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._began:  # the asyncio transport sends what it buffered before it closes
            self.transport.write(_timeout_answer(self.server_state.default_headers))
        self.transport.close()


def _timeout_answer(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """Written past the HTTP library: h11 refuses to answer a request it has not parsed."""
    lines = [b"HTTP/1.1 408 Request Timeout"]
    lines += [name + b": " + value for name, value in default_headers]
    lines += [
        b"content-type: text/plain; charset=utf-8",
        b"content-length: " + str(len(_LATE)).encode("ascii"),
        b"connection: close",
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + _LATE


class HttpToolsHeaderTimeout(HeaderDeadline, HttpToolsProtocol):
    """httptools (uvicorn[standard]'s default) with the header deadline."""

    _awaiting_headers = True  # from the end of one request's body to the next one's headers

    def data_received(self, data: bytes) -> None:
        """Blank lines before a request line, which the parser skips, start the clock too (they
        stop uvicorn's keep-alive one), but only a request begun is answered 408."""
        if self._awaiting_headers:
            self._expect_headers(received=bool(data.lstrip(b"\r\n")))
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        self._expect_headers(received=True)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._headers_done()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_headers = True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._began and not self.transport.is_closing():
            self._expect_headers(received=True)


class H11HeaderTimeout(HeaderDeadline, H11Protocol):
    """h11 with the header deadline: the client owes headers while h11 holds it IDLE."""

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._expect_headers(received=bool(data))
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._headers_done()

    def on_response_complete(self) -> None:
        """A pipelined request already buffered is parsed only now; its headers are owed too."""
        super().on_response_complete()
        pending = self.conn.trailing_data[0]
        if self.conn.their_state is h11.IDLE and pending and not self.transport.is_closing():
            self._expect_headers(received=True)


HeaderTimeoutProtocol: type[asyncio.Protocol]
try:
    import httptools  # noqa: F401
except ImportError:  # pragma: no cover - uvicorn without [standard]
    HeaderTimeoutProtocol = H11HeaderTimeout
else:
    HeaderTimeoutProtocol = HttpToolsHeaderTimeout
