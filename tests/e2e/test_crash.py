"""kill -9 of the server in the middle of a load loses nothing acknowledged and leaves no half command."""

from __future__ import annotations

import time

from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels
from tests.clock import T0
from tests.e2e.conftest import HTTP, LeadLoad, Server, assert_placed, build_directory
from tests.integration.test_read_models import dump


def test_a_killed_server_restarts_with_every_acknowledged_command_and_consistent_read_models(
    process_server: Server, store: LedgerSettings
) -> None:
    server = process_server
    people = build_directory(store, server.url)
    boss = people["manager"].staff_id or ""
    people.ledger.adopt_policy({"max_customers_per_rep": 10_000}, T0, "load", T0, boss)
    phone = people["phone"]
    load = LeadLoad(server.url, phone.token)
    load.until(acknowledged=40)
    server.kill()  # SIGKILL to every process: no shutdown hooks, transactions cut where they stand
    acknowledged = load.stop()

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

    assert_placed(store, acknowledged)
    check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    models = ReadModels(check)
    assert models.catch_up() == 0  # resumed from its tracked position: nothing left to apply
    incremental = dump(models)
    models.rebuild()
    assert dump(models) == incremental
    models.close()
    check.close()
    people.ledger.close()
