"""`ledger serve` as it runs in production: several worker processes and a projector apart.

Every test here starts real processes over the test's store and talks to them over loopback:
positions carry read-your-writes from one worker to another, races across workers (and across
two servers on one store) keep the single-holder and cap rules, a killed worker loses no
acknowledged write, and a killed projector is noticed by readers and replaced without loss.
The authorization matrix and the idempotency test of the one-process server run here again,
against two workers (the module's `server` fixture replaces the threaded one).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import httpx
import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.clock import T0
from tests.e2e.conftest import HTTP, Directory, Server, build_directory, refused_within, spawn
from tests.e2e.test_api_commands import (
    test_a_retried_post_with_the_same_key_returns_the_first_result_even_after_a_restart as test_idempotency_across_workers,
)
from tests.e2e.test_authorization_matrix import (
    test_every_endpoint_for_every_role_is_allowed_or_denied_as_the_table_says as test_the_authorization_matrix_across_workers,
)
from tests.integration.test_read_models import dump

__all__ = ["test_idempotency_across_workers", "test_the_authorization_matrix_across_workers"]

RACERS = 64
# No keep-alive: each request opens its own connection, so the kernel hands it to any worker.
FRESH = httpx.Client(timeout=20, limits=httpx.Limits(max_keepalive_connections=0))


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


def race(calls: list[tuple[str, dict[str, object]]], token: str) -> list[httpx.Response]:
    """Send every (url, body) at the same instant, each from its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    answers: list[httpx.Response] = []

    def one(url: str, body: dict[str, object]) -> None:
        barrier.wait()
        answers.append(FRESH.post(url, json=body, headers=auth(token)))

    threads = [threading.Thread(target=one, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def two_servers(store: LedgerSettings) -> Iterator[tuple[Server, Server]]:
    """Two `ledger serve` on two ports over one store: two projectors, one of them standby."""
    first, second = Server(store, workers=2).start(), Server(store, workers=2).start()
    yield first, second
    first.stop()
    second.stop()


def test_64_clients_across_two_servers_racing_for_one_customer_leave_one_holder(
    two_servers: tuple[Server, Server], store: LedgerSettings
) -> None:
    people = build_directory(store, two_servers[0].url)
    reps, free = company(people, 1)
    customer = free[0]
    calls: list[tuple[str, dict[str, object]]] = [
        (f"{two_servers[n % 2].url}/customers/{customer}/assignment", {"staff_id": reps[n % 8]})
        for n in range(RACERS)
    ]
    answers = race(calls, people["allocation_team"].token)
    statuses = Counter(a.status_code for a in answers)
    assert statuses[200] == 1, statuses
    assert {a.json()["error"]["code"] for a in answers if a.status_code != 200} <= {
        "already_held",
        "concurrent_modification",
    }
    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    holder = check.customer(customer).holder
    assert [rep for rep in reps if str(customer) in check.staff(rep).book] == [holder]
    check.close()
    people.ledger.close()


def test_64_clients_across_two_servers_racing_for_a_reps_last_slot_never_pass_the_cap(
    two_servers: tuple[Server, Server], store: LedgerSettings
) -> None:
    people = build_directory(store, two_servers[0].url)
    cap = 5
    reps, free = company(people, cap - 1 + RACERS, cap=cap)
    rep, allocator = reps[0], people["allocation_team"].staff_id or ""
    for customer in free[: cap - 1]:
        people.ledger.assign_customer(customer, UUID(rep), T0, allocator)
    calls: list[tuple[str, dict[str, object]]] = [
        (f"{two_servers[n % 2].url}/customers/{customer}/assignment", {"staff_id": rep})
        for n, customer in enumerate(free[cap - 1 :])
    ]
    answers = race(calls, people["allocation_team"].token)
    assert Counter(a.status_code for a in answers)[200] == 1
    refused = {a.json()["error"]["code"] for a in answers if a.status_code != 200}
    assert refused <= {"rep_customer_cap", "concurrent_modification"}, refused
    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    assert len(check.staff(rep).book) == cap
    check.close()
    people.ledger.close()


def test_a_worker_killed_under_load_loses_no_acknowledged_write(
    server: Server, people: Directory, store: LedgerSettings
) -> None:
    company(people, 0)  # reps to place the leads with
    phone = people["phone"].token
    acknowledged: list[str] = []
    seen: Counter[str] = Counter()
    stop = threading.Event()

    def writer(w: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                answer = FRESH.post(
                    f"{server.url}/leads",
                    json={"name": f"w{w}-{n}", "channel": "hotline-1"},
                    headers=auth(phone),
                )
            except httpx.TransportError:
                continue  # cut off by the kill: never acknowledged
            if answer.status_code == 201:
                acknowledged.append(answer.json()["id"])
                seen[answer.headers["Ledger-Worker"]] += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    while len(seen) < 2 or len(acknowledged) < 40:
        time.sleep(0.01)
    victim = int(next(iter(seen)))
    os.kill(victim, signal.SIGKILL)
    killed_at = len(acknowledged)
    while len(acknowledged) < killed_at + 40:  # the other worker (and a replacement) go on
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    for customer_id in acknowledged:
        customer = check.customer(customer_id)
        assert customer.holder is not None
        assert customer_id in check.staff(customer.holder).book  # both sides of the one save
    check.close()


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
