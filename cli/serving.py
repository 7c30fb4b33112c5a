"""`ledger serve` (API worker processes beside a projector) and `ledger project`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Annotated

import typer
from rich.console import Console

from ledger.settings import LedgerSettings
from projections.guard import prepare_store

console = Console(stderr=True)
RESTART_AFTER = 1.0  # seconds before a projector that exited is started again


class ProjectorChild:
    """`ledger project` as a child of `ledger serve`, started again if it dies.

    The child watches its parent and exits with it, so a `kill -9` of the server leaves no
    projector behind holding the lock.
    """

    def __init__(self) -> None:
        self.command = [
            sys.executable,
            "-m",
            "cli.main",
            "project",
            "--exit-with",
            str(os.getpid()),
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, name="projector", daemon=True)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self._thread.start()

    def _keep(self) -> None:
        while not self._stop.is_set():
            assert self.process is not None
            code = self.process.wait()
            if code == 0 or self._stop.wait(RESTART_AFTER):
                return  # 0: it was asked to stop (the server's own shutdown signal reached it)
            console.print(f"[yellow]the projector exited ({code}); starting another[/]")
            self.process = subprocess.Popen(self.command)

    def stop(self) -> None:
        self._stop.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="API worker processes (default: one per core).")
    ] = os.cpu_count() or 1,
    projector: Annotated[
        bool,
        typer.Option(help="Also run `ledger project` (off when it runs as its own service)."),
    ] = True,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    keep_alive: Annotated[
        int,
        typer.Option(
            min=1,
            help="Seconds an idle kept-alive connection stays open (uvicorn's default: 5). "
            "Behind a load balancer, set it above the balancer's idle timeout, or a request "
            "it sends as the server closes the connection becomes a 502.",
        ),
    ] = 30,
    header_timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            envvar="LEDGER_HEADER_TIMEOUT",
            help="Seconds a client has to send a request's line and headers, counted from the "
            "connection or the request's first byte; a slower one is closed (408 if it began), "
            "which uvicorn alone never does.",
        ),
    ] = 10.0,
) -> None:
    """Serve the HTTP API from N worker processes, and keep the read models from one more."""
    import uvicorn

    settings = LedgerSettings()
    prepare_store(settings)
    os.environ["LEDGER_CREATE_TABLES"] = "false"  # the workers and the projector inherit it
    os.environ["LEDGER_SUPERVISOR_PID"] = str(os.getpid())  # workers exit when it is gone
    os.environ["LEDGER_HEADER_TIMEOUT"] = str(header_timeout)  # api/httpprotocol.py reads it
    child = ProjectorChild() if projector else None
    if child is not None:
        child.start()
    try:
        uvicorn.run(
            "api.main:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            timeout_keep_alive=keep_alive,
            http="api.httpprotocol:HeaderTimeoutProtocol",
        )
    finally:
        if child is not None:
            child.stop()


def project(
    status: Annotated[
        bool,
        typer.Option(help="Say whether a projector is active and how far it lags; exit 1 if none."),
    ] = False,
    exit_with: Annotated[
        int | None, typer.Option(help="Exit when this process (the server) is gone.")
    ] = None,
) -> None:
    """Follow the log and keep the read models; a second one waits as a hot standby."""
    from projections.projector import ProjectorState, projector_active, run_projector

    settings = LedgerSettings()
    if status:
        _status(settings, projector_active(settings))
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if exit_with is not None:
        threading.Thread(target=_watch_parent, args=(exit_with, stop), daemon=True).start()

    roles: list[str] = []

    def say(state: ProjectorState) -> None:  # each change of role, not every catch-up
        if not roles or roles[-1] != state.role:
            roles.append(state.role)
            console.print(f"projector {os.getpid()}: {state.role} at position {state.position}")

    run_projector(settings, stop, say)


def _watch_parent(pid: int, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        if os.getppid() != pid:
            stop.set()


def _status(settings: LedgerSettings, active: bool) -> None:
    """Reads only: a health check every few seconds must not install guards or tables."""
    from ledger.application import OwnershipLedger
    from projections.readmodels import ReadModels

    ledger = OwnershipLedger(settings.model_copy(update={"create_tables": False}))
    models = ReadModels(ledger, writer=False)
    try:
        events, position = ledger.event_count(), models.served_position()
    finally:
        models.close()
        ledger.close()
    state = "active" if active else "none running"
    console.print(f"projector: {state}; read models at {position} of {events} events")
    if not active:
        raise typer.Exit(1)
