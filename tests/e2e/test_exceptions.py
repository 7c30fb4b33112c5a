"""A rule exception is its manager's own act (issue 22, finding 2): the mover names an approved
request, never a manager, and the recorded signer is whoever approved it."""

from __future__ import annotations

from ledger.customer import Customer
from ledger.enums import Role, Seniority
from tests.clock import T0
from tests.e2e.conftest import Directory


def test_a_rule_exception_is_signed_by_the_manager_who_approved_it_in_their_own_call(
    people: Directory,
) -> None:
    ledger = people.ledger
    newbie = str(
        ledger.join_staff("newbie", Role.SALES_REP, Seniority.NEW, "north", "north", T0).id
    )
    alloc, boss = people["allocation_team"], people["manager"]
    gem = boss.post("/customers", {"name": "Gem Holdings"}).json()["id"]
    graded = boss.post(f"/customers/{gem}/grade", {"tier": "A", "inputs": {"revenue": 9}})
    assert graded.status_code == 200, graded.text
    assign = f"/customers/{gem}/assignment"

    forged = alloc.post(
        assign,
        {"staff_id": newbie, "exception": {"manager_id": boss.staff_id, "reason": "trust me"}},
    )
    assert forged.status_code == 422, forged.text  # a manager cannot be named, only approve
    plain = alloc.post(assign, {"staff_id": newbie})
    assert plain.status_code == 409 and plain.json()["error"]["code"] == "tier_seniority_mismatch"

    asked = alloc.post(
        f"/customers/{gem}/exception-requests", {"staff_id": newbie, "reason": "training"}
    )
    assert asked.status_code == 201, asked.text
    grant = asked.json()["ref"]
    early = alloc.post(assign, {"staff_id": newbie, "exception": {"grant_id": grant}})
    assert early.status_code == 409 and early.json()["error"]["code"] == "exception_not_approved"
    approval = f"/customers/{gem}/exception-requests/{grant}/approval"
    assert alloc.post(approval, {}).status_code == 403  # the asker cannot sign it
    signed = boss.post(approval, {})
    assert signed.status_code == 200, signed.text
    assert boss.post(approval, {}).json()["error"]["code"] == "exception_already_approved"

    other = people["sales_rep"].staff_id or ""
    elsewhere = alloc.post(assign, {"staff_id": other, "exception": {"grant_id": grant}})
    assert elsewhere.json()["error"]["code"] == "exception_for_another_move"
    placed = alloc.post(assign, {"staff_id": newbie, "exception": {"grant_id": grant}})
    assert placed.status_code == 200, placed.text
    moved = ledger.customer(gem)
    assert moved.holder == newbie and moved.exception_grants == {}
    stored = [ledger.mapper.to_domain_event(e) for e in ledger.recorder.select_events(moved.id)]
    [assigned] = [e for e in stored if isinstance(e, Customer.Assigned)]
    [exception] = assigned.exceptions
    assert exception["by"] == boss.staff_id and exception["grant_id"] == grant
    assert exception["reason"] == "training" and assigned.by == alloc.staff_id
