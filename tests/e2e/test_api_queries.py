"""Queries over real HTTP: read-your-writes, as-of answers, permission-checked and audited files."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Directory


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_a_get_right_after_a_post_sees_it(people: Directory) -> None:
    lead = people["phone"].post("/leads", {"name": "Acme", "channel": "hotline-1"}).json()
    holder = people["allocation_team"].get(f"/customers/{lead['id']}/holder").json()
    assert holder["holder"] == people["sales_rep"].staff_id
    book = people["manager"].get(f"/staff/{people['sales_rep'].staff_id}/book").json()
    assert [h["customer_id"] for h in book["-"]] == [lead["id"]]


def test_the_owner_as_of_last_week_and_as_known_before_a_backdated_move(people: Directory) -> None:
    now = datetime.now(UTC)
    boss, alloc = people["manager"], people["allocation_team"]
    second = boss.post(
        "/staff",
        {
            "name": "Li",
            "role": "sales_rep",
            "seniority": "senior",
            "team": "north",
            "area": "north",
        },
    ).json()["id"]
    customer = boss.post(
        "/customers", {"name": "Acme", "occurred_at": iso(now - timedelta(days=30))}
    ).json()["id"]
    boss.post(
        f"/customers/{customer}/assignment",
        {"staff_id": people["sales_rep"].staff_id, "occurred_at": iso(now - timedelta(days=20))},
    )
    before_backdating = datetime.now(UTC)
    moved = boss.post(
        f"/customers/{customer}/transfer",
        {
            "to_staff_id": second,
            "reason_code": "rebalance",
            "occurred_at": iso(now - timedelta(days=10)),
        },
    )
    assert moved.status_code == 200, moved.text
    last_week = alloc.get(
        f"/customers/{customer}/holder", {"at": iso(now - timedelta(days=7))}
    ).json()
    assert last_week["holding"]["holder"] == second
    two_weeks = alloc.get(
        f"/customers/{customer}/holder", {"at": iso(now - timedelta(days=14))}
    ).json()
    assert two_weeks["holding"]["holder"] == people["sales_rep"].staff_id
    as_known = alloc.get(
        f"/customers/{customer}/holder",
        {"at": iso(now - timedelta(days=7)), "known_at": iso(before_backdating)},
    ).json()
    assert as_known["holding"]["holder"] == people["sales_rep"].staff_id
    custody = alloc.get(f"/customers/{customer}/custody").json()
    assert [row["kind"] for row in custody["items"]][-2:] == ["assigned", "reassigned"]


def test_a_rep_reads_only_their_own_customers_and_every_read_is_recorded(people: Directory) -> None:
    rep, boss, auditor = people["sales_rep"], people["manager"], people["auditor"]
    mine = people["phone"].post("/leads", {"name": "Mine", "channel": "hotline-1"}).json()["id"]
    other = boss.post("/customers", {"name": "Other"}).json()["id"]
    assert rep.get(f"/customers/{mine}").status_code == 200
    refused = rep.get(f"/customers/{other}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "file_access_denied"
    assert auditor.get(f"/customers/{other}").status_code == 200
    assert auditor.post(f"/customers/{other}/grade", {"tier": "C"}).status_code == 403
    reads = auditor.get(f"/customers/{other}/reads").json()["items"]
    assert [(r["reader"], r["allowed"]) for r in reads] == [
        (rep.staff_id, False),
        (auditor.staff_id, True),
    ]
    assert people["phone"].get(f"/customers/{mine}").status_code == 403


def test_reports_come_as_json_sections_and_as_csv(people: Directory) -> None:
    for n in range(3):
        people["phone"].post("/leads", {"name": f"lead {n}", "channel": "hotline-1"})
    boss = people["manager"]
    fairness = boss.get("/reports/fairness").json()
    assert fairness and all("items" in section for section in fairness.values())
    csv_text = boss.get("/reports/fairness", {"format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("section,")
    assert boss.get("/reports/nope").status_code == 404
    for _ in range(40):  # PostgreSQL's /health answers from a probe up to 0.25 s old
        health = boss.get("/health").json()
        if health["read_models"]["lag"] == 0 and health["events"] == people.ledger.event_count():
            break
        time.sleep(0.05)
    assert health["read_models"]["position"] == health["events"] == people.ledger.event_count()


def test_the_chain_head_can_be_fetched_and_moves_with_new_events(people: Directory) -> None:
    auditor = people["auditor"]
    first = auditor.get("/chain/head").json()
    people["phone"].post("/leads", {"name": "Acme", "channel": "hotline-1"})
    second = auditor.get("/chain/head").json()
    assert second["position"] > first["position"] and second["link"] != first["link"]
    assert len(second["link"]) == 64
