"""Commands over real HTTP: receipts, refusals with rule codes, retries and stale writes."""

from __future__ import annotations

import httpx

from ledger.clock import utcnow
from ledger.enums import TransferReason
from tests.e2e.conftest import Directory, LiveServer


def events_stored(people: Directory) -> int:
    """From the store itself: the server's /health may answer from a probe a moment old."""
    return people.ledger.event_count()


def test_a_phone_call_becomes_a_lead_placed_by_the_allocator(people: Directory) -> None:
    response = people["phone"].post("/leads", {"name": "Acme Steel", "channel": "hotline-1"})
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["version"] == 2 and len(receipt["positions"]) >= 3
    holder = people.ledger.customer(receipt["id"]).holder
    assert holder == people["sales_rep"].staff_id


def test_a_refusal_is_409_with_the_rule_and_stores_nothing(
    people: Directory, server: LiveServer
) -> None:
    lead = people["phone"].post("/leads", {"name": "Acme", "channel": "hotline-1"}).json()["id"]
    manager = people["manager"].staff_id or ""
    people.ledger.release_customer(lead, TransferReason.REBALANCE, utcnow(), manager)
    before = events_stored(people)
    rep = people["sales_rep"]
    claim = rep.post(f"/customers/{lead}/assignment", {"staff_id": rep.staff_id})
    assert claim.status_code == 409, claim.text
    error = claim.json()["error"]
    assert error["code"] == "self_assignment"
    assert error["message"] and error["params"]["rule"] == "authority"
    assert events_stored(people) == before


def test_unknown_ids_are_404_and_bad_shapes_are_422(people: Directory) -> None:
    boss = people["manager"]
    missing = boss.post("/customers/00000000-0000-4000-8000-000000000000/grade", {"tier": "A"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_customer"
    assert boss.post("/customers", {"name": ""}).status_code == 422
    assert (
        boss.post("/customers", {"name": "x", "occurred_at": "1970-01-01T00:00:00Z"}).status_code
        == 422
    )
    assert (
        boss.post("/customers", {"name": "x", "occurred_at": "2024-01-01T00:00:00"}).status_code
        == 422
    )
    assert boss.post("/customers", {"name": "x", "surprise": 1}).status_code == 422
    assert (
        boss.post(
            "/policy", {"params": {"rotation_dayz": 1}, "effective_at": "2024-01-01T00:00:00Z"}
        ).json()["error"]["params"]["key"]
        == "rotation_dayz"
    )


def test_no_token_is_401_and_a_role_without_the_right_is_403(people: Directory) -> None:
    assert httpx.post(f"{people.base}/customers", json={"name": "x"}, timeout=5).status_code == 401
    bad = httpx.post(
        f"{people.base}/customers",
        json={"name": "x"},
        headers={"Authorization": "Bearer nope"},
        timeout=5,
    )
    assert bad.status_code == 401
    assert people["auditor"].post("/customers", {"name": "x"}).status_code == 403


def test_a_retried_post_with_the_same_key_returns_the_first_result_even_after_a_restart(
    people: Directory, server: LiveServer
) -> None:
    phone = people["phone"]
    key = {"Idempotency-Key": "call-2024-0001"}
    first = phone.post("/leads", {"name": "Acme", "channel": "hotline-1"}, key)
    assert first.status_code == 201
    stored = events_stored(people)
    again = phone.post("/leads", {"name": "Acme", "channel": "hotline-1"}, key)
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    server.stop()
    server.start()
    after_restart = phone.post("/leads", {"name": "Acme", "channel": "hotline-1"}, key)
    assert after_restart.json()["id"] == first.json()["id"] and after_restart.json()["replayed"]
    assert events_stored(people) == stored
    reused = phone.post("/leads", {"name": "Other", "channel": "hotline-1"}, key)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"


def test_a_stale_if_match_is_412_and_a_current_one_succeeds(people: Directory) -> None:
    boss = people["manager"]
    customer = boss.post("/customers", {"name": "Acme"}).json()
    version = customer["version"]
    ok = boss.post(
        f"/customers/{customer['id']}/grade",
        {"tier": "B", "inputs": {"revenue": 3}},
        {"If-Match": str(version)},
    )
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = boss.post(
        f"/customers/{customer['id']}/grade", {"tier": "C"}, {"If-Match": str(version)}
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_version"


def test_the_event_feed_pages_in_order_and_filters_by_type(people: Directory) -> None:
    for n in range(3):
        people["phone"].post("/leads", {"name": f"lead {n}", "channel": "hotline-1"})
    feed = people["feed"]
    page = feed.get("/events", {"after": 0, "limit": 5}).json()
    positions = [e["position"] for e in page["events"]]
    assert positions == sorted(positions) and len(positions) == 5
    rest = feed.get("/events", {"after": page["next_after"], "limit": 1000}).json()["events"]
    assert rest[0]["position"] > positions[-1]
    assigned = feed.get("/events", {"type": "Customer.Assigned"}).json()["events"]
    assert [e["type"] for e in assigned] == ["Customer.Assigned"] * 3
    assert {e["data"]["rule"] for e in assigned} == {"lead_allocator"}
    assert feed.get("/events", {"type": "Nope.Nothing"}).status_code == 422
