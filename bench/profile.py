"""Where one request's time goes: `python -m bench.profile [--store sqlite|postgres]`.

Starts `ledger serve` over a small company, drives one kind of request at a time from one
kept-alive client, and samples every thread of every server process with py-spy (1,000 Hz,
idle threads left out). Each sample is put in the first bucket its stack matches, so the table
says how many milliseconds of CPU per request each part of the server spends: the HTTP server,
the framework, the token lookup, the command, the read models and the database driver.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import httpx
from rich.console import Console
from rich.table import Table

from bench.commands import T0
from bench.stores import open_store
from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.pgcluster import free_port

RATE = 200  # py-spy samples per second per thread: more, and it falls behind three processes
# (bucket, substrings of a frame's "function (file)"): a sample goes to the first bucket any
# of its frames matches, checked in this order, so a database call inside the token lookup
# counts as the token lookup and the driver bucket holds only what no named part explains.
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("token lookup (principal)", ("principal (ledger/commands/access.py",)),
    ("read-your-writes wait", ("settle (", "wait_for (")),  # settle: 02ee0ac's one-process wait
    ("read models (query)", ("projections/",)),
    ("command: domain and save", ("ledger/",)),
    ("database driver", ("psycopg", "sqlite", "eventsourcing/")),
    ("response serialisation", ("pydantic", "json", "serialize_response")),
    ("FastAPI routing and dependencies", ("fastapi/", "starlette/", "anyio/")),
    (
        "HTTP server (uvicorn, parsing, event loop)",
        ("uvicorn/", "h11", "httptools", "asyncio", "uvloop"),
    ),
)


# A thread whose innermost frame is in one of these files is waiting (epoll, a condition, a
# queue), not working: py-spy's idle detection misses such waits when it does not pause the
# process to sample.
# uvloop's loop, `time.sleep` and psycopg's wait for the server are C, so their waits show as
# the Python frame that called them: the runner of the event loop, the projector's wake-up
# poll and psycopg's `Connection.wait`.
IDLE_FILES = (
    "(selectors.py:",
    "(threading.py:",
    "(queue.py:",
    "Runner.run (asyncio/runners.py:",
    "Wakeup.wait (projections/projector.py:",
    "Connection.wait (psycopg/connection.py:",
)


def bucket_of(stack: str) -> str:
    for name, needles in BUCKETS:
        if any(needle in stack for needle in needles):
            return name
    return "other"


def summarise(raw: Path) -> Counter[str]:
    """py-spy's raw format: one `frame;frame;...;frame count` line per distinct stack."""
    samples: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        if stack and count.isdigit() and not any(idle in leaf for idle in IDLE_FILES):
            samples[bucket_of(stack)] += int(count)
    return samples


class Company:
    """An allocator, a rep, customers to assign and one held customer to look up."""

    def __init__(self, store: LedgerSettings, customers: int) -> None:
        led = OwnershipLedger(store)
        try:
            allocator = led.join_staff("alloc", Role.ALLOCATION_TEAM, None, "n", "n", T0).id
            self.rep = str(led.join_staff("rep", Role.SALES_REP, Seniority.SENIOR, "n", "n", T0).id)
            led.adopt_policy({"max_customers_per_rep": 1_000_000}, T0, "bench", T0, str(allocator))
            self.token, _ = led.issue_token(T0, "system:bench", staff_id=allocator)
            self.free = [
                str(led.register_customer(f"c{n}", Source.REP_PROSPECTED, T0).id)
                for n in range(customers)
            ]
            self.held = self.free.pop()
            led.assign_customer(UUID(self.held), UUID(self.rep), T0, str(allocator))
            ReadModels(led).catch_up()  # before the server starts, as `ledger` commands do
        finally:
            led.close()


def start_server(
    store: LedgerSettings, args: list[str], log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "LEDGER_DATA_DIR": str(store.data_dir)}
    env.pop("LEDGER_DATABASE_URL", None)
    if store.database_url:
        env["LEDGER_DATABASE_URL"] = store.database_url
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), *args]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/health", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-2000:]}")


def profile(
    pid: int, seconds: float, drive: Callable[[threading.Event], int], out: Path
) -> tuple[int, float, Counter[str]]:
    """Run `drive` while py-spy samples the server and its children: requests, wall, samples."""
    spy = [
        shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")),
        "record",
        "--pid",
        str(pid),
        "--subprocesses",
        "--rate",
        str(RATE),
        "--format",
        "raw",
        "--duration",
        str(int(seconds)),
        "--output",
        str(out),
        "--nonblocking",
    ]
    stop = threading.Event()
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(drive(stop)))
    began = 0.0
    recorder = subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # let py-spy attach before the first request
    began = time.perf_counter()
    worker.start()
    recorder.wait()
    stop.set()
    worker.join()
    return done[0], time.perf_counter() - began, summarise(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--serve-args", default="", help="extra `ledger serve` arguments")
    options = parser.parse_args()
    console = Console()
    with ExitStack() as stack:
        kind = stack.enter_context(open_store(options.store, options.postgres_url))
        store = kind.fresh("profile")
        company = Company(store, customers=20_000)
        log = Path(tempfile.mkdtemp(prefix="ledger-profile-")) / "server.log"
        process, url = start_server(store, options.serve_args.split(), log)
        stack.callback(lambda: os.killpg(process.pid, signal.SIGTERM))
        http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {company.token}"})
        stack.callback(http.close)
        free = iter(company.free)

        def loop(request: Callable[[], httpx.Response]) -> Callable[[threading.Event], int]:
            def drive(stop: threading.Event) -> int:
                n = 0
                while not stop.is_set():
                    request().raise_for_status()
                    n += 1
                return n

            return drive

        kinds = {
            "GET /health": lambda: http.get("/health"),
            "GET /customers/{id}/holder": lambda: http.get(f"/customers/{company.held}/holder"),
            "POST /customers/{id}/assignment": lambda: http.post(
                f"/customers/{next(free)}/assignment", json={"staff_id": company.rep}
            ),
        }
        results: dict[str, tuple[int, float, Counter[str]]] = {}
        for name, request in kinds.items():
            console.log(f"profiling {name} for {options.seconds:g} s")
            results[name] = profile(
                process.pid, options.seconds, loop(request), log.with_name(f"{len(results)}.txt")
            )
        table = Table(
            title=f"CPU ms per request by part ({options.store}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `ledger serve {options.serve_args}`)"
        )
        table.add_column("part")
        for name in kinds:
            table.add_column(name, justify="right")
        parts = [name for name, _ in BUCKETS] + ["other"]
        for part in [*parts, "total CPU", "wall ms per request", "requests"]:
            cells = []
            for name in kinds:
                requests, wall, samples = results[name]
                if part == "requests":
                    cells.append(str(requests))
                elif part == "wall ms per request":
                    cells.append(f"{wall * 1000 / max(requests, 1):.2f}")
                else:
                    count = sum(samples.values()) if part == "total CPU" else samples.get(part, 0)
                    cells.append(f"{count * 1000 / RATE / max(requests, 1):.2f}")
            table.add_row(part, *cells)
        console.print(table)


if __name__ == "__main__":
    main()
