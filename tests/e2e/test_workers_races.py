"""Two `ledger serve` on two ports over one store (four workers, two projectors of which one
waits as a standby): 64 clients racing across all of them keep the single-holder and cap rules."""

from __future__ import annotations

import threading
from collections import Counter
from uuid import UUID

import httpx

from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from tests.clock import T0
from tests.e2e.conftest import Server, build_directory
from tests.e2e.test_workers import FRESH, auth, company

RACERS = 64


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


def test_64_clients_across_two_servers_leave_one_holder_and_never_pass_the_cap(
    store: LedgerSettings,
) -> None:
    servers = Server(store, workers=2).start(), Server(store, workers=2).start()
    try:
        people = build_directory(store, servers[0].url)
        cap = 5
        reps, free = company(people, 1 + cap - 1 + RACERS, cap=cap)
        token, allocator = people["allocation_team"].token, people["allocation_team"].staff_id
        check = OwnershipLedger(store.model_copy(update={"cache_size": None}))

        contested = free[0]  # 64 clients assign one customer to eight different reps
        answers = race(
            [
                (
                    f"{servers[n % 2].url}/customers/{contested}/assignment",
                    {"staff_id": reps[n % 8]},
                )
                for n in range(RACERS)
            ],
            token,
        )
        assert Counter(a.status_code for a in answers)[200] == 1
        refused = {a.json()["error"]["code"] for a in answers if a.status_code != 200}
        assert refused <= {"already_held", "concurrent_modification"}, refused
        holder = check.customer(contested).holder
        assert [rep for rep in reps if str(contested) in check.staff(rep).book] == [holder]

        last = next(rep for rep in reps if rep != holder)  # 64 customers for a rep's last slot
        for customer in free[1:cap]:
            people.ledger.assign_customer(customer, UUID(last), T0, allocator or "")
        answers = race(
            [
                (f"{servers[n % 2].url}/customers/{customer}/assignment", {"staff_id": last})
                for n, customer in enumerate(free[cap:])
            ],
            token,
        )
        assert Counter(a.status_code for a in answers)[200] == 1
        refused = {a.json()["error"]["code"] for a in answers if a.status_code != 200}
        assert refused <= {"rep_customer_cap", "concurrent_modification"}, refused
        assert len(check.staff(last).book) == cap
        check.close()
        people.ledger.close()
    finally:
        for server in servers:
            server.stop()
