"""The projector apart from the workers: killed, its readers notice and a new one catches up;
with a standby beside it, the standby takes over. Both end equal to a rebuild."""

from __future__ import annotations

import subprocess
import sys
import time
from uuid import UUID

import httpx

from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.e2e.conftest import HTTP, Server, build_directory, spawn
from tests.e2e.test_workers import auth, company
from tests.integration.test_read_models import dump


def project(store: LedgerSettings, name: str) -> subprocess.Popen[bytes]:
    return spawn(store, [sys.executable, "-m", "cli.main", "project"], name)


def test_a_killed_projector_makes_positioned_reads_wait_then_a_new_one_catches_up(
    store: LedgerSettings,
) -> None:
    server = Server(store, workers=2, projector=False).start()
    projector = project(store, "projector-1")
    try:
        people = build_directory(store, server.url)
        reps, free = company(people, 3)
        alloc = people["allocation_team"].token

        def assign(customer: UUID, rep: str) -> int:
            wrote = HTTP.post(
                f"{server.url}/customers/{customer}/assignment",
                json={"staff_id": rep},
                headers=auth(alloc),
            )
            assert wrote.status_code == 200, wrote.text
            position: int = wrote.json()["position"]
            return position

        def holder(customer: UUID, position: int) -> httpx.Response:
            return HTTP.get(
                f"{server.url}/customers/{customer}/holder",
                params={"min_position": position},
                headers=auth(alloc),
            )

        first = assign(free[0], reps[0])
        assert holder(free[0], first).json()["holder"] == reps[0]

        projector.kill()
        projector.wait()
        second = assign(free[1], reps[1])
        began = time.monotonic()
        behind = holder(free[1], second)
        assert time.monotonic() - began >= 4.5  # it waited, bounded, before saying so
        assert behind.status_code == 503, behind.text
        assert behind.json()["error"]["code"] == "read_models_behind"
        assert behind.headers["Retry-After"]

        projector = project(store, "projector-2")
        assert holder(free[1], second).json()["holder"] == reps[1]
        third = assign(free[2], reps[2])
        assert holder(free[2], third).json()["holder"] == reps[2]
        # each read is itself recorded: let the projector apply the last record before it stops
        follower = ReadModels(people.ledger, writer=False)
        follower.wait_for(people.ledger.event_count(), timeout=10)
        follower.close()
        people.ledger.close()
    finally:
        projector.terminate()
        projector.wait()
        server.stop()
    check = OwnershipLedger(store)
    models = ReadModels(check)
    assert models.catch_up() == 0  # the second projector left nothing to apply
    incremental = dump(models)
    models.rebuild()
    assert dump(models) == incremental
    models.close()
    check.close()


def test_a_standby_projector_takes_over_when_the_active_one_dies(store: LedgerSettings) -> None:
    server = Server(store, workers=1, projector=False).start()
    first: subprocess.Popen[bytes] = project(store, "projector-a")
    second: subprocess.Popen[bytes] | None = None
    try:
        people = build_directory(store, server.url)
        time.sleep(1)  # the first one holds the lock
        second = project(store, "projector-b")
        reps, free = company(people, 2)
        alloc = people["allocation_team"]
        for customer, victim in ((free[0], None), (free[1], first)):
            if victim is not None:
                victim.kill()
                victim.wait()
            wrote = alloc.post(f"/customers/{customer}/assignment", {"staff_id": reps[0]})
            position = wrote.json()["position"]
            read = HTTP.get(
                f"{server.url}/customers/{customer}/holder",
                params={"min_position": position},
                headers=auth(alloc.token),
            )
            assert read.status_code == 200, read.text  # the standby took over within the wait
            assert read.json()["holder"] == reps[0]
        people.ledger.close()
    finally:
        for process in (first, second):
            if process is not None:
                process.terminate()
                process.wait()
        server.stop()
