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
    complaint = service.post(f"/customers/{lead}/complaints", {"summary": "late delivery"}).json()["ref"]  # fmt: skip
    done = service.post(f"/customers/{lead}/complaints/{complaint}/resolution", {"resolution": "re-shipped"})  # fmt: skip
    assert done.status_code == 200
    file = service.get(f"/customers/{lead}").json()
    assert [c["state"] for c in file["complaints"]] == ["resolved"]
    assert service.staff_id in {m["staff_id"] for m in file["team"]}
    removed = boss.post(f"/customers/{lead}/team/{service.staff_id}/removal", {"reason": "reorganised"})  # fmt: skip
    assert removed.status_code == 200
