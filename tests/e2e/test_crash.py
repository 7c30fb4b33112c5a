"""kill -9 of the server in the middle of a load loses nothing acknowledged and leaves no half command."""

from __future__ import annotations

import threading
import time

import httpx

from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.clock import T0
from tests.e2e.conftest import HTTP, Server, build_directory
from tests.integration.test_read_models import dump

WRITERS = 4


def test_a_killed_server_restarts_with_every_acknowledged_command_and_consistent_read_models(
    process_server: Server, store: LedgerSettings
) -> None:
    server = process_server
    people = build_directory(store, server.url)
    boss = people["manager"].staff_id or ""
    people.ledger.adopt_policy({"max_customers_per_rep": 10_000}, T0, "load", T0, boss)
    phone = people["phone"]
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                response = phone.post("/leads", {"name": f"w{w}-{n}", "channel": "hotline-1"})
            except httpx.TransportError:
                return  # the server died under us: this request was never acknowledged
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 40:
        time.sleep(0.01)
    server.kill()  # SIGKILL to every process: no shutdown hooks, transactions cut where they stand
    stop.set()
    for thread in threads:
        thread.join()

    server.start()
    after = phone.post("/leads", {"name": "after the crash", "channel": "hotline-1"})
    assert after.status_code == 201
    acknowledged.append(after.json()["id"])
    for _ in range(200):  # PostgreSQL's /health answers from a probe up to 0.25 s old
        health = HTTP.get(f"{server.url}/health", timeout=5).json()
        if health["read_models"]["lag"] == 0 and health["events"] == people.ledger.event_count():
            break
        time.sleep(0.05)
    assert health["read_models"]["lag"] == 0 and health["events"] == people.ledger.event_count()
    server.stop()

    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    for customer_id in acknowledged:
        customer = check.customer(customer_id)
        assert customer.holder is not None
        assert customer_id in check.staff(customer.holder).book  # both sides of the one save
    models = ReadModels(check)
    assert models.catch_up() == 0  # resumed from its tracked position: nothing left to apply
    incremental = dump(models)
    models.rebuild()
    assert dump(models) == incremental
    models.close()
    check.close()
    people.ledger.close()
