"""The custody export and the policy what-if over real HTTP, on both stores."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx

from ledger.enums import Role, Seniority
from tests.clock import T0, day
from tests.e2e.conftest import Caller, Directory

LEAD = "Acme <Steel> & Sons"


def lead(people: Directory, name: str, when: int) -> str:
    response = people["phone"].post(
        "/leads", {"name": name, "channel": "hotline-1", "occurred_at": day(when).isoformat()}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def refusal(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_the_custody_export_comes_as_json_csv_and_a_printable_page(people: Directory) -> None:
    customer = lead(people, LEAD, 1)
    auditor = people["auditor"]
    as_json = auditor.get("/exports/custody", {"customer": customer})
    assert as_json.status_code == 200, as_json.text
    export = as_json.json()
    assert export["verification"]["verified"] is True
    assert [e["kind"] for e in export["events"]] == ["registered", "assigned", "lead_allocated"]
    assert export["events"][2]["to_holder"] == people["sales_rep"].staff_id
    assert export["events"][0]["actor"] == "client:phone"
    assert as_json.headers["X-Ledger-Verified"] == "true"
    head = auditor.get("/chain/head").json()
    assert export["chain_head"] == head
    assert as_json.headers["X-Ledger-Chain-Head"] == f"{head['position']}:{head['link']}"

    as_csv = auditor.get("/exports/custody", {"customer": customer, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows[0]["section"] == "chain" and rows[0]["verified"] == "True"
    assert [r["kind"] for r in rows if r["section"] == "event"] == [
        "registered", "assigned", "lead_allocated",
    ]  # fmt: skip

    page = auditor.get("/exports/custody", {"customer": customer, "format": "html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count('<tr class="event"') == 3
    assert "Acme &lt;Steel&gt; &amp; Sons" in page.text and LEAD not in page.text
    assert ">verified</span>" in page.text

    reads = auditor.get(f"/customers/{customer}/reads").json()["items"]
    assert [r["what"] for r in reads] == ["custody_export"] * 3
    assert all(r["allowed"] for r in reads)


def test_a_period_export_and_every_refusal_say_why(people: Directory) -> None:
    customer = lead(people, LEAD, 1)
    manager, auditor = people["manager"], people["auditor"]
    period: dict[str, object] = {"from": T0.isoformat(), "to": day(2).isoformat()}
    whole = auditor.get("/exports/custody", period)
    assert whole.status_code == 200, whole.text
    assert {e["customer_id"] for e in whole.json()["events"]} == {customer}
    # every customer's history: a manager exports one file at a time (issue 22, finding 3)
    refusal(manager.get("/exports/custody", period), 403, "period_export_denied")
    links_only = auditor.get("/exports/custody", {**period, "chain": "links"}).json()
    assert links_only["verification"]["chain_checked"] is None
    assert links_only["verification"]["verified"] is True

    pdf = {**period, "format": "pdf"}
    refusal(manager.get("/exports/custody", pdf), 422, "export_format_unknown")
    refusal(manager.get("/exports/custody"), 422, "export_scope_missing")
    refusal(manager.get("/exports/custody", {"from": period["from"]}), 422, "export_scope_missing")
    backwards: dict[str, object] = {"from": period["to"], "to": period["from"]}
    refusal(auditor.get("/exports/custody", backwards), 422, "period_empty")
    naive: dict[str, object] = {"from": "2024-03-01T00:00:00", "to": period["to"]}
    refusal(auditor.get("/exports/custody", naive), 422, "naive_time")
    nobody: dict[str, object] = {"customer": "00000000-0000-4000-8000-000000000000"}
    refusal(manager.get("/exports/custody", nobody), 404, "unknown_customer")

    south = people.ledger.join_staff("South Boss", Role.MANAGER, None, "south", "south", T0).id
    token, _ = people.ledger.issue_token(T0, "system:test", staff_id=south)
    outsider = Caller(people.base, token, str(south), people.ledger.event_count)
    refusal(outsider.get("/exports/custody", {"customer": customer}), 403, "file_access_denied")
    assert people["sales_rep"].get("/exports/custody", period).status_code == 403


def test_the_policy_what_if_replays_the_leads_and_stores_nothing(people: Directory) -> None:
    for name, seniority in (("Mid", Seniority.EXPERIENCED), ("Newbie", Seniority.NEW)):
        people.ledger.join_staff(name, Role.SALES_REP, seniority, "north", "north", T0)
    for n in range(6):
        lead(people, f"enquiry {n}", n + 1)
    alloc, auditor = people["allocation_team"], people["auditor"]
    period = {"from": T0.isoformat(), "to": (day(7) + timedelta(hours=1)).isoformat()}
    events = people.ledger.event_count()  # the store itself, not a probe a moment old

    same = alloc.post("/policy/whatif", {"params": {}, **period})
    assert same.status_code == 200, same.text
    assert same.json()["decisions"] == 6 and same.json()["differing"] == 0
    assert same.json()["faithful"] is True

    seniors_only = "[lead_weights]\nexperienced = 0\nnew = 0\n"
    changed = auditor.post("/policy/whatif", {"toml": seniors_only, **period, "listed": 2})
    assert changed.status_code == 200, changed.text
    result = changed.json()
    assert result["differing"] == 4 and len(result["differences"]) == 2
    senior = next(r for r in result["per_rep"] if r["staff_id"] == people["sales_rep"].staff_id)
    assert (senior["leads_actual"], senior["leads_candidate"]) == (2, 6)
    gini = next(r for r in result["comparison"] if r["measure"] == "gini")
    assert gini["candidate"] > gini["actual"]
    assert people.ledger.event_count() == events

    refusal(alloc.post("/policy/whatif", {"toml": "max_a_per_rep = ", **period}), 422, "policy_bad_file")  # fmt: skip
    refusal(alloc.post("/policy/whatif", {"params": {"max_cap": 1}, **period}), 422, "policy_unknown_key")  # fmt: skip
    both = {"params": {}, "toml": "", **period}
    refusal(alloc.post("/policy/whatif", both), 422, "whatif_policy_missing")
    refusal(alloc.post("/policy/whatif", period), 422, "whatif_policy_missing")
    backwards = {"params": {}, "from": period["to"], "to": period["from"]}
    refusal(alloc.post("/policy/whatif", backwards), 422, "period_empty")
    assert people["sales_rep"].post("/policy/whatif", {"params": {}, **period}).status_code == 403
