"""A client that never finishes its request's headers is cut off (issue 22, finding 8: slowloris).

Raw sockets against `ledger serve` in its own processes, its header timeout set to one second
(LEDGER_HEADER_TIMEOUT, as `--header-timeout 1`), and against uvicorn serving a bare app with
each of the two protocols (httptools, which `ledger serve` picks, and h11). The store does not
matter here: SQLite only. Timing is checked loosely: closed within five seconds, not at one.
"""

from __future__ import annotations

import asyncio
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from api.httpprotocol import HEADER_TIMEOUT, H11HeaderTimeout, HttpToolsHeaderTimeout
from tests.e2e.conftest import Server
from tests.pgcluster import free_port
from tests.stores import settings_for

BOUND = 5.0  # seconds: five times the timeout set, and under the default (10) it must replace
REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
UNFINISHED = [
    pytest.param(b"", b"", id="nothing-sent"),
    pytest.param(b"GET /health HT", b"HTTP/1.1 408 ", id="half-a-request-line"),
    pytest.param(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"HTTP/1.1 408 ", id="no-end"),
]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    store = settings_for("sqlite", tmp_path_factory.mktemp("header-timeout"), request)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(HEADER_TIMEOUT, "1")  # `ledger serve` reads it as --header-timeout
        running = Server(store, workers=2).start()
    yield f"127.0.0.1:{running.port}"
    running.stop()


class Raw:
    """One connection, written as bytes and read back as whole responses or to its close."""

    def __init__(self, address: str) -> None:
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=BOUND)
        self.buffer = b""

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *_: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self) -> int:
        """The next response's status; it is framed by its Content-Length, so the connection
        stays open behind it."""
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        length = re.search(rb"(?im)^content-length: *(\d+)", head)
        assert length is not None, head
        while len(self.buffer) < int(length[1]):
            self._more()
        self.buffer = self.buffer[int(length[1]) :]
        return int(head.split()[1])

    def until_closed(self) -> bytes:
        """Everything the server sends until it closes the connection, failing after BOUND."""
        deadline = time.monotonic() + BOUND
        while self._more():
            assert time.monotonic() < deadline, "the server still holds the connection"
        return self.buffer

    def _more(self) -> bool:
        chunk = self.sock.recv(4096)  # a socket timeout of BOUND fails a server that hangs
        self.buffer += chunk
        return bool(chunk)


@pytest.mark.parametrize(("sent", "answer"), UNFINISHED)
def test_a_connection_whose_headers_never_end_is_closed_after_the_header_timeout(
    served: str, sent: bytes, answer: bytes
) -> None:
    with Raw(served) as client:
        client.send(sent)
        received = client.until_closed()
        assert received.startswith(answer) if sent else received == b""


def test_a_trickle_of_header_bytes_does_not_push_the_deadline_back(served: str) -> None:
    with Raw(served) as client:
        client.send(b"GET /health HTTP/1.1\r\nX-Slow: ")
        deadline = time.monotonic() + BOUND
        while not select.select([client.sock], [], [], 0.2)[0]:  # a byte every 0.2 s
            assert time.monotonic() < deadline, "a trickle of bytes held the connection"
            client.send(b"x")
        assert client.until_closed().startswith(b"HTTP/1.1 408 ")


def test_a_kept_alive_connection_still_serves_after_an_idle_pause_and_times_each_request(
    served: str,
) -> None:
    with Raw(served) as client:
        client.send(REQUEST)
        assert client.answer() == 200
        time.sleep(1.5)  # idle: longer than the header timeout, well inside the keep-alive
        client.send(REQUEST)
        assert client.answer() == 200
        client.send(b"GET /health HTTP/1.1\r\n")  # the next request's clock starts again
        assert client.until_closed().startswith(b"HTTP/1.1 408 ")


async def ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The smallest ASGI app: a 200 to every request."""
    if scope["type"] == "http":
        headers = [(b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(params=[HttpToolsHeaderTimeout, H11HeaderTimeout], ids=["httptools", "h11"])
def bare(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Uvicorn in a thread with one of the protocols; each connection reads the timeout."""
    monkeypatch.setenv(HEADER_TIMEOUT, "1")
    port = free_port()
    protocol: type[asyncio.Protocol] = request.param
    config = uvicorn.Config(ok, port=port, http=protocol, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize(("sent", "answer"), UNFINISHED)
def test_either_protocol_closes_a_connection_whose_headers_never_end(
    bare: str, sent: bytes, answer: bytes
) -> None:
    with Raw(bare) as client:
        client.send(sent)
        received = client.until_closed()
        assert received.startswith(answer) if sent else received == b""


def test_either_protocol_keeps_a_connection_alive_across_a_pause_and_a_pipelined_request(
    bare: str,
) -> None:
    with Raw(bare) as client:
        client.send(REQUEST + REQUEST)
        assert (client.answer(), client.answer()) == (200, 200)
        time.sleep(1.5)
        client.send(REQUEST + b"GET / HTTP/1.1\r\n")  # a whole one, and half of the next
        assert client.answer() == 200
        assert client.until_closed().startswith(b"HTTP/1.1 408 ")
