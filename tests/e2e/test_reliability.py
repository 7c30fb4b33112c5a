"""Load and faults lose nothing: racing transfers, and PostgreSQL restarted under load."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import httpx
import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source, Tier
from ledger.settings import LedgerSettings
from tests.clock import T0
from tests.e2e.conftest import HTTP, Directory, Server, build_directory
from tests.pgcluster import TemporaryPostgres

CLIENTS = 64


def test_64_clients_racing_to_transfer_the_same_customers_have_one_winner_each(
    people: Directory, store: LedgerSettings
) -> None:
    ledger, boss = people.ledger, people["manager"]
    reps = [
        ledger.join_staff(f"rep{i}", Role.SALES_REP, Seniority.SENIOR, "north", "north", T0).id
        for i in range(8)
    ]
    customers = []
    for n in range(8):
        cid = ledger.register_customer(f"c{n}", Source.REP_PROSPECTED, T0).id
        ledger.grade_customer(cid, Tier.B, "", T0, boss.staff_id or "", {"revenue": 1})
        ledger.assign_customer(cid, reps[n], T0, boss.staff_id or "")
        customers.append(cid)
    versions = {c: ledger.customer(c).version for c in customers}
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[tuple[UUID, int, str]] = []

    def client(i: int) -> None:
        cid = customers[i % len(customers)]
        to = reps[(i + 1 + i // len(customers)) % len(reps)]
        barrier.wait()
        response = boss.post(
            f"/customers/{cid}/transfer",
            {"to_staff_id": str(to), "reason_code": "rebalance"},
            {"If-Match": str(versions[cid])},
        )
        code = (
            response.json().get("error", {}).get("code", "won")
            if response.status_code != 200
            else "won"
        )
        outcomes.append((cid, response.status_code, code))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == CLIENTS
    winners = Counter(cid for cid, status, _ in outcomes if status == 200)
    assert winners == Counter(dict.fromkeys(customers, 1))
    losers = {(status, code) for _, status, code in outcomes if status != 200}
    assert losers <= {
        (412, "stale_version"),
        (409, "same_holder"),
        (409, "concurrent_modification"),
    }
    fresh = OwnershipLedger(store.model_copy(update={"cache_size": None}))
    for cid in customers:
        holder = fresh.customer(cid).holder
        holding = [r for r in reps if str(cid) in fresh.staff(r).book]
        assert [str(r) for r in holding] == [holder]
        assert fresh.customer(cid).version == versions[cid] + 1
    fresh.close()


@pytest.fixture
def own_postgres() -> Iterator[TemporaryPostgres]:
    cluster = TemporaryPostgres(durable=True).start()
    yield cluster
    cluster.stop()


def wait_for_health(base: str, status: str) -> None:
    for _ in range(200):
        if HTTP.get(f"{base}/health", timeout=5).json()["status"] == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"health never became {status}")


def test_a_postgres_restart_under_load_gives_503_then_recovers_and_loses_nothing(
    own_postgres: TemporaryPostgres, tmp_path: object
) -> None:
    url = own_postgres.create_database("restart")
    store = LedgerSettings(data_dir=tmp_path, database_url=url)  # type: ignore[arg-type]
    server = Server(store).start()
    try:
        people = build_directory(store, server.url)
        boss = people["manager"].staff_id or ""
        people.ledger.adopt_policy({"max_customers_per_rep": 10_000}, T0, "load", T0, boss)
        phone = people["phone"]
        acknowledged: list[str] = []
        statuses: Counter[int] = Counter()
        errors: list[str] = []
        stop = threading.Event()

        def load() -> None:
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                try:
                    response = phone.post("/leads", {"name": f"lead {n}", "channel": "hotline-1"})
                except httpx.TransportError as lost:
                    errors.append(repr(lost))
                    statuses[0] += 1
                    continue
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                elif response.status_code == 503:
                    assert response.headers["Retry-After"]
                    assert response.json()["error"]["code"] == "store_unavailable"

        worker = threading.Thread(target=load)
        worker.start()
        while len(acknowledged) < 20:
            threading.Event().wait(0.02)
        own_postgres.crash()
        wait_for_health(server.url, "store_unavailable")
        refused = phone.post("/leads", {"name": "during the outage", "channel": "hotline-1"})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
        assert refused.json()["error"]["code"] == "store_unavailable"
        own_postgres.start_again()
        wait_for_health(server.url, "ok")
        worker.join(timeout=60)
        stop.set()
        assert statuses[201] > 20
        assert set(statuses) <= {201, 503}, (statuses, errors)
        after = phone.post("/leads", {"name": "after the restart", "channel": "hotline-1"})
        assert after.status_code == 201
        acknowledged.append(after.json()["id"])
        check = OwnershipLedger(store.model_copy(update={"cache_size": None}))
        for cid in acknowledged:
            assert check.customer(cid).holder is not None
        check.close()
        people.ledger.close()
    finally:
        server.stop()
