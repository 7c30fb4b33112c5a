"""`ledger serve` as it runs in production: several worker processes and a projector apart.

Every test here starts real processes over the test's store and talks to them over loopback:
positions carry read-your-writes from one worker to another, a killed worker loses no
acknowledged write, a revoked token stops on every worker within a second, and a killed
supervisor takes its workers and projector with it. The authorization matrix and the
idempotency test of the one-process server run here again, against two workers (the module's
`server` fixture replaces the threaded one). Races across two servers: test_workers_races.py;
the projector killed and replaced: test_projector.py.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from uuid import UUID

import httpx
import pytest

from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from tests.clock import T0
from tests.e2e.conftest import (
    HTTP,
    NEW_CONNECTION,
    Directory,
    LeadLoad,
    Server,
    assert_placed,
    refused_within,
)
from tests.e2e.test_api_commands import (
    test_a_retried_post_with_the_same_key_returns_the_first_result_even_after_a_restart as test_idempotency_across_workers,
)
from tests.e2e.test_authorization_matrix import (
    test_every_endpoint_for_every_role_is_allowed_or_denied_as_the_table_says as test_the_authorization_matrix_across_workers,
)

__all__ = ["test_idempotency_across_workers", "test_the_authorization_matrix_across_workers"]

RACERS = 64
FRESH = NEW_CONNECTION


@pytest.fixture
def server(store: LedgerSettings) -> Iterator[Server]:
    """Two API workers and their projector, as `ledger serve --workers 2` runs them."""
    running = Server(store, workers=2).start()
    yield running
    running.stop()


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def company(people: Directory, customers: int, cap: int = 10_000) -> tuple[list[str], list[UUID]]:
    """Reps and unheld customers to move, recorded straight into the store."""
    led, boss = people.ledger, people["manager"].staff_id or ""
    led.adopt_policy({"max_customers_per_rep": cap}, T0, "test", T0, boss)
    reps = [
        str(led.join_staff(f"rep {n}", Role.SALES_REP, Seniority.SENIOR, "north", "north", T0).id)
        for n in range(8)
    ]
    free = [led.register_customer(f"c{n}", Source.REP_PROSPECTED, T0).id for n in range(customers)]
    return reps, free


def test_a_write_on_one_worker_is_read_with_its_position_on_another_200_times(
    server: Server, people: Directory
) -> None:
    reps, free = company(people, 600)
    token = people["allocation_team"].token
    crossed, tries = 0, 0
    workers: set[str] = set()
    while crossed < 200:
        tries += 1
        assert tries <= len(free), f"only {crossed} of {tries} pairs crossed workers"
        customer, rep = free[tries - 1], reps[tries % len(reps)]
        wrote = FRESH.post(
            f"{server.url}/customers/{customer}/assignment",
            json={"staff_id": rep},
            headers=auth(token),
        )
        assert wrote.status_code == 200, wrote.text
        position = wrote.json()["position"]
        assert int(wrote.headers["Ledger-Position"]) == position
        read = FRESH.get(
            f"{server.url}/customers/{customer}/holder",
            headers=auth(token, **{"Ledger-Min-Position": str(position)}),
        )
        assert read.status_code == 200, read.text
        assert read.json()["holder"] == rep  # its own write, whichever worker answered
        assert int(read.headers["Ledger-Position"]) >= position
        workers |= {wrote.headers["Ledger-Worker"], read.headers["Ledger-Worker"]}
        crossed += wrote.headers["Ledger-Worker"] != read.headers["Ledger-Worker"]
    assert len(workers) == 2


def test_a_read_without_a_position_answers_at_once_and_says_how_far_behind(
    server: Server, people: Directory
) -> None:
    boss = people["manager"]
    answer = HTTP.get(f"{server.url}/pool", headers=auth(boss.token))
    assert answer.status_code == 200
    behind, position = int(answer.headers["Ledger-Behind"]), int(answer.headers["Ledger-Position"])
    assert position + behind <= people.ledger.event_count()  # the log only grows
    ahead = people.ledger.event_count() + 1000
    never = HTTP.get(f"{server.url}/pool", params={"min_position": ahead}, headers=auth(boss.token))
    assert never.status_code == 422 and never.json()["error"]["code"] == "position_not_recorded"


def test_a_worker_killed_under_load_loses_no_acknowledged_write(
    server: Server, people: Directory, store: LedgerSettings
) -> None:
    company(people, 0)  # reps to place the leads with
    load = LeadLoad(server.url, people["phone"].token, through_errors=True)
    load.until(acknowledged=40, workers=2)
    os.kill(int(next(iter(load.workers))), signal.SIGKILL)
    load.until(acknowledged=len(load.acknowledged) + 40)  # the other worker (and a new one) go on
    assert_placed(store, load.stop())


def test_a_revoked_token_stops_working_on_every_worker_within_a_second(
    server: Server, people: Directory
) -> None:
    rep = people["sales_rep"].staff_id
    token, _ = people.ledger.issue_token(T0, "system:test", staff_id=UUID(rep or ""))
    workers = set()
    for _ in range(40):  # warm both workers' caches with the token
        answer = FRESH.get(f"{server.url}/policy", headers=auth(token))
        assert answer.status_code == 200
        workers.add(answer.headers["Ledger-Worker"])
    assert len(workers) == 2
    people.ledger.revoke_token(token, "leaked", T0, "system:test")
    revoked = time.monotonic()
    refused_within(lambda: FRESH.get(f"{server.url}/policy", headers=auth(token)))
    time.sleep(max(0.0, revoked + 1.0 - time.monotonic()))
    for _ in range(40):  # a second on, refused whichever worker answers
        assert FRESH.get(f"{server.url}/policy", headers=auth(token)).status_code == 401


def test_a_killed_supervisor_leaves_no_worker_or_projector_behind(server: Server) -> None:
    assert server.process is not None
    group = server.process.pid  # its own process group: the supervisor, workers, projector
    server.process.kill()  # the supervisor alone, SIGKILL: no chance to stop its children
    server.process.wait()
    server.process = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # anyone left in the group?
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("workers or the projector outlived their supervisor")
    with pytest.raises(httpx.TransportError):
        HTTP.get(f"{server.url}/health", timeout=1)  # nobody holds the port any more
