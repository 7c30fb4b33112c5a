"""Records over real HTTP: a trip, its callback and expense, a contract, a complaint, the team."""

from __future__ import annotations

from tests.e2e.conftest import Directory


def test_a_trip_is_verified_by_the_callback_team_and_expensed_once(people: Directory) -> None:
    rep, caller = people["sales_rep"], people["callback"]
    lead = people["phone"].post("/leads", {"name": "Acme", "channel": "hotline-1"}).json()["id"]
    trip = rep.post(f"/customers/{lead}/contacts", {"kind": "trip", "channel": "in_person", "met": "buyer", "decision_maker_met": True})  # fmt: skip
    assert trip.status_code == 201, trip.text
    contact = trip.json()["ref"]
    callback = caller.post(f"/customers/{lead}/contacts/{contact}/callback", {"outcome": "discrepancy", "satisfaction": 2, "note": "no buyer met"})  # fmt: skip
    assert callback.status_code == 200, callback.text
    assert rep.post(f"/customers/{lead}/contacts/{contact}/callback", {"outcome": "confirmed"}).status_code == 403  # fmt: skip
    assert rep.post(f"/customers/{lead}/contacts/{contact}/expense", {"amount": "812.40"}).status_code == 200  # fmt: skip
    twice = rep.post(f"/customers/{lead}/contacts/{contact}/expense", {"amount": "1.00"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "expense_already_claimed"
    contacts = rep.get(f"/customers/{lead}").json()["contacts"]
    assert [(c["outcome"], c["satisfaction"]) for c in contacts] == [("discrepancy", 2)]


def test_a_contract_complaint_and_team_change_are_recorded(people: Directory) -> None:
    rep, boss, service = people["sales_rep"], people["manager"], people["service"]
    lead = people["phone"].post("/leads", {"name": "Acme", "channel": "hotline-1"}).json()["id"]
    assert rep.post(f"/customers/{lead}/contracts", {"contract_ref": "CT-7", "value": "50000"}).status_code == 201  # fmt: skip
    added = boss.post(f"/customers/{lead}/team", {"staff_id": service.staff_id, "team_role": "service"})  # fmt: skip
    assert added.status_code == 201
    complaint = service.post(f"/customers/{lead}/complaints", {"summary": "late delivery", "form": {"product": "valve 7"}}).json()["ref"]  # fmt: skip
    early = service.post(f"/complaints/{complaint}/closure", {"resolution": "re-shipped"})
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "complaint_close_incomplete"
    steps = [
        (service, "reply", {"reply": "we are on it"}),
        (service, "investigation", {"cause": "carrier", "corrective": "re-ship", "preventive": "2nd carrier"}),
        (service, "recheck", {"result": "delivered"}),
        (people["callback"], "confirmation", {"satisfaction": 4}),
        (service, "feedback", {"to": ["operations"]}),
        (service, "closure", {"resolution": "re-shipped"}),
    ]  # fmt: skip
    for caller, step, body in steps:
        answer = caller.post(f"/complaints/{complaint}/{step}", body)
        assert answer.status_code == 200, (step, answer.text)
    file = service.get(f"/customers/{lead}").json()
    assert [(c["state"], c["fed_back_to"]) for c in file["complaints"]] == [
        ("closed", "operations")
    ]
    assert service.staff_id in {m["staff_id"] for m in file["team"]}
    removed = boss.post(f"/customers/{lead}/team/{service.staff_id}/removal", {"reason": "reorganised"})  # fmt: skip
    assert removed.status_code == 200


def test_a_trip_walks_its_review_chain_before_the_expense_is_approved(people: Directory) -> None:
    rep, vp, clerk, boss = (
        people["sales_rep"],
        people["sales_vp"],
        people["clerk"],
        people["manager"],
    )
    lead = people["phone"].post("/leads", {"name": "Acme", "channel": "hotline-1"}).json()["id"]
    trip = rep.post("/trips", {"customer_id": lead, "met": ["buyer Zhou"], "needs": "spares"})
    assert trip.status_code == 201, trip.text
    tid = trip.json()["id"]
    assert rep.post(f"/trips/{tid}/expense", {"amount": "640.00"}).status_code == 200
    too_soon = boss.post(f"/trips/{tid}/expense/approval", {})
    assert too_soon.json()["error"]["code"] == "expense_before_qualified"
    assert clerk.post(f"/trips/{tid}/review", {"signed": True}).status_code == 403  # VP's step
    out_of_order = clerk.post(f"/trips/{tid}/qualification", {})
    assert out_of_order.json()["error"]["code"] == "trip_step_out_of_order"
    assert vp.post(f"/trips/{tid}/review", {"signed": True, "note": "ok"}).status_code == 200
    assert clerk.post(f"/trips/{tid}/backfill", {"entries": ["needs: spares"]}).status_code == 200
    assert clerk.post(f"/trips/{tid}/qualification", {}).status_code == 200
    approved = boss.post(f"/trips/{tid}/expense/approval", {})
    assert approved.status_code == 200, approved.text
    callback = people["callback"].post(f"/trips/{tid}/callback", {"outcome": "discrepancy", "differences": "one day, not two"})  # fmt: skip
    assert callback.status_code == 200, callback.text
    file = rep.get(f"/customers/{lead}").json()
    assert [(t["step"], t["discrepancies"], t["expense_approved_at"] is not None) for t in file["trips"]] == [("qualified", 1, True)]  # fmt: skip
    assert [(e["trip_id"], e["entry"]) for e in file["file_entries"]] == [(tid, "needs: spares")]
