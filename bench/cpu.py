"""Where a loaded server's CPU goes: `python -m bench.cpu [--store sqlite|postgres]`.

Runs `ledger serve --workers N` over a small company, drives POSTs from client threads for a
few seconds, and reads every process's CPU time from /proc before and after: the API workers,
the projector, PostgreSQL's backends and this load generator. Divided by the requests served,
it says how many milliseconds of CPU one request costs the machine, and so how many requests
its cores can serve at most; the library's `Application.save` is measured the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.commands import baseline_app, library_op
from bench.http import HttpClients, Server
from bench.scales import SCALES
from bench.stores import open_store
from bench.timing import Op, drive

TICK = os.sysconf("SC_CLK_TCK")


def role_of(pid: int, cmdline: str, server: int, me: int) -> str | None:
    if pid == me:
        return "load generator (client threads)"
    if cmdline.startswith("postgres"):
        return "PostgreSQL server"
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return None
    if group != server:
        return None
    if " project" in cmdline:
        return "projector"
    if "multiprocessing" in cmdline:
        return "API workers"
    return "supervisor"


def cpu_seconds(server: int) -> Counter[str]:
    """CPU seconds (user + system) so far of every process that takes part."""
    used: Counter[str] = Counter()  # seconds, as floats
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        role = role_of(int(entry.name), cmdline, server, os.getpid())
        if role is not None:
            used[role] += (int(fields[11]) + int(fields[12])) / TICK  # type: ignore[assignment]
    return used


def measured(run: Callable[[], int], server: int) -> tuple[int, Counter[str], float]:
    before, began = cpu_seconds(server), time.perf_counter()
    done = run()
    wall = time.perf_counter() - began
    after = cpu_seconds(server)
    return done, Counter({k: after[k] - before.get(k, 0.0) for k in after}), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args()
    console, scale = Console(), SCALES["medium"]
    with ExitStack() as stack:
        kind = stack.enter_context(open_store(options.store, options.postgres_url))
        store = kind.fresh("cpu")
        library = baseline_app(store)
        stack.callback(library.close)

        def library_run() -> int:
            return drive(options.clients, library_op(library), options.seconds, 10**9).ops

        serve = [sys.executable, "-m", "cli.main", "serve", "--workers", str(options.workers)]
        server = Server(store, serve)
        company = HttpClients(store, server, scale)
        company.ledger.close()
        server.start()
        stack.callback(server.stop)
        assert server.process is not None
        runs: dict[str, tuple[int, Counter[str], float]] = {}
        for name, make in (("POST contacts", company.contact), ("POST assignment", company.assign)):
            ops: Callable[[int], Op] = make
            console.log(f"{name}: {options.clients} clients for {options.seconds:g} s")
            runs[name] = measured(
                lambda ops=ops: drive(options.clients, ops, options.seconds, 10**9).ops,  # type: ignore[misc]
                server.process.pid,
            )
            company.close_clients()
        console.log(f"library save: {options.clients} clients for {options.seconds:g} s")
        runs["library Application.save"] = measured(library_run, server.process.pid)
    table = Table(
        title=f"CPU ms per request, {options.store}, {options.clients} clients, {os.cpu_count()} cores"
    )
    table.add_column("process")
    for name in runs:
        table.add_column(name, justify="right")
    roles = sorted({role for _, used, _ in runs.values() for role in used})
    for role in [*roles, "all", "requests/s", "ceiling at 100 % of the cores (req/s)"]:
        cells = []
        for done, used, wall in runs.values():
            total = sum(used.values())
            if role == "requests/s":
                cells.append(f"{done / wall:,.0f}")
            elif role.startswith("ceiling"):
                cells.append(f"{(os.cpu_count() or 1) * done / total:,.0f}" if total else "")
            else:
                value = total if role == "all" else used.get(role, 0.0)
                cells.append(f"{value * 1000 / max(done, 1):.2f}")
        table.add_row(role, *cells)
    console.print(table)


if __name__ == "__main__":
    main()
