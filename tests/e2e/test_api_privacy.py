"""No private use over real HTTP: refused and covered exports, the access audit, the ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from ledger.enums import Source
from tests.clock import T0
from tests.e2e.conftest import Directory, refused_within

SHARE = {
    "recipient": "Partner Insurer",
    "purpose": "card holders' insurance campaign",
    "scope": "holder",
    "valid_from": "2024-01-01T00:00:00Z",
    "valid_to": "2099-01-01T00:00:00Z",
}


def held_customer(people: Directory) -> str:
    """A customer in the north held by the sales rep, placed by the manager."""
    ledger, rep, boss = people.ledger, people["sales_rep"], people["manager"]
    customer = ledger.register_customer("Acme", Source.IMPORTED, T0, area="north").id
    ledger.assign_customer(customer, UUID(rep.staff_id), T0, str(boss.staff_id))
    return str(customer)


def test_the_access_audit_shows_a_read_a_refused_read_an_export_and_the_share(
    people: Directory,
) -> None:
    rep, boss, auditor, service = (
        people[r] for r in ("sales_rep", "manager", "auditor", "service")
    )
    customer = held_customer(people)
    assert rep.get(f"/customers/{customer}").status_code == 200
    outsider = service.get(f"/customers/{customer}")
    assert outsider.status_code == 403 and outsider.json()["error"]["code"] == "file_access_denied"
    export = {
        "customer_ids": [customer],
        "recipient": SHARE["recipient"],
        "purpose": SHARE["purpose"],
    }
    refusal = rep.post("/data-exports", export)
    assert refusal.status_code == 403, refusal.text
    error = refusal.json()["error"]
    assert error["code"] == "data_export_without_share" and error["message"]
    share = rep.post("/data-shares", {**SHARE, "scope_values": [rep.staff_id]})
    assert share.status_code == 201, share.text
    share_id = share.json()["id"]
    assert rep.post(f"/data-shares/{share_id}/approval", {}).status_code == 403
    assert boss.post(f"/data-shares/{share_id}/approval", {"note": "agreed"}).status_code == 200
    covered = rep.post("/data-exports", export)
    assert covered.status_code == 201 and covered.json()["ref"] == share_id

    audit = auditor.get("/audit/access", {"customer": customer})
    assert audit.status_code == 200, audit.text
    body = audit.json()
    assert [r["reader"] for r in body["reads"]] == [rep.staff_id]
    assert [(r["reader"], r["reason"]) for r in body["refused_reads"]] == [
        (service.staff_id, "file_access_denied")
    ]
    assert [x["share_id"] for x in body["exports"]] == [share_id]
    assert [(x["export_id"], x["code"]) for x in body["refused_exports"]] == [
        (error["params"]["attempt_id"], "data_export_without_share")
    ]
    assert [(s["share_id"], s["approved_by"], s["status"]) for s in body["shares"]] == [
        (share_id, boss.staff_id, "approved")
    ]
    mine = auditor.get("/audit/access", {"staff": service.staff_id}).json()
    assert [len(mine[s]) for s in ("reads", "refused_reads", "exports", "shares")] == [0, 1, 0, 0]
    last_year = (datetime.now(UTC) - timedelta(days=365)).isoformat()
    until = auditor.get("/audit/access", {"customer": customer, "to": last_year}).json()
    since = auditor.get("/audit/access", {"customer": customer, "from": last_year}).json()
    assert [len(until[s]) for s in ("reads", "exports")] == [0, 0]
    assert [len(since[s]) for s in ("reads", "exports")] == [1, 1]
    assert auditor.get("/audit/access", {"from": "not a time"}).status_code == 422
    assert rep.get("/audit/access").status_code == 403


def test_the_violation_ladder_over_http_ends_in_termination_with_the_customers_moved(
    people: Directory,
) -> None:
    rep, boss, auditor = people["sales_rep"], people["manager"], people["auditor"]
    customer = held_customer(people)
    minor = boss.post(
        "/violations",
        {
            "staff_id": rep.staff_id,
            "severity": "minor",
            "description": "forwarded a file unapproved",
        },
    )
    assert minor.status_code == 201, minor.text
    serious = boss.post(
        "/violations",
        {
            "staff_id": rep.staff_id,
            "severity": "serious",
            "description": "offered the list outside",
        },
    )
    closure = f"/violations/{serious.json()['id']}/investigation-closure"
    assert boss.post(closure, {"finding": "confirmed", "warning": True}).status_code == 200
    again = boss.post(closure, {"finding": "again"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "investigation_not_open"
    assert (
        rep.post(
            "/violations", {"staff_id": boss.staff_id, "severity": "minor", "description": "x"}
        ).status_code
        == 403
    )
    malicious = boss.post(
        "/violations",
        {
            "staff_id": rep.staff_id,
            "severity": "malicious",
            "description": "side deal",
            "plan": {customer: None},
        },
    )
    assert malicious.status_code == 201, malicious.text
    refused_within(lambda: rep.get("/policy"))  # the terminated person's access is gone
    assert auditor.get(f"/customers/{customer}/holder").json()["holder"] is None
    ladder = auditor.get("/violations", {"staff": rep.staff_id}).json()
    assert [
        (v["severity"], v["investigation"], v["terminated_at"] is not None) for v in ladder
    ] == [
        ("malicious", None, True),
        ("serious", "closed", False),
        ("minor", None, False),
    ]
    assert ladder[1]["warned_at"] is not None and ladder[2]["stop_ordered_at"] is not None
    assert ladder[0]["plan"] == {customer: None}
