"""The Blue Sun case (SEED-RULES S1) over HTTP: hotline leads are the company's, spread by rule."""

from __future__ import annotations

from collections import Counter

from ledger.enums import Role, Seniority
from tests.clock import T0
from tests.e2e.conftest import Caller, Directory


def test_hotline_leads_are_distributed_by_rule_and_the_fairness_report_shows_an_even_spread(
    people: Directory,
) -> None:
    # Step 1: two veterans and three new hires, all sales reps in one office.
    ledger = people.ledger
    reps: dict[str, Caller] = {}
    for name, seniority in (("V1", Seniority.SENIOR), ("V2", Seniority.SENIOR), ("Wang", Seniority.NEW), ("N2", Seniority.NEW), ("N3", Seniority.NEW)):  # fmt: skip
        staff_id = ledger.join_staff(name, Role.SALES_REP, seniority, "blue-sun", "city", T0).id
        token, _ = ledger.issue_token(T0, "system:test", staff_id=staff_id)
        reps[name] = Caller(people.base, token, str(staff_id), people.ledger.event_count)
    everyone = {people["sales_rep"].staff_id, *(r.staff_id for r in reps.values())}

    # Step 2: thirty enquiries arrive on the company hotlines through the phone system.
    phone = people["phone"]
    leads = []
    for n in range(30):
        response = phone.post("/leads", {"name": f"enquiry {n}", "channel": f"hotline-{n % 2 + 1}"})
        assert response.status_code == 201, response.text
        leads.append(response.json()["id"])

    # Step 3: a veteran tries to claim a lead for himself: refused, naming the rule.
    boss = people["manager"]
    walk_in = boss.post("/customers", {"name": "walk-in"}).json()["id"]
    claim = reps["V1"].post(f"/customers/{walk_in}/assignment", {"staff_id": reps["V1"].staff_id})
    assert claim.status_code == 409 and claim.json()["error"]["code"] == "self_assignment"

    # Step 4: every lead was placed by the visible rule, and Wang received his share.
    holders = Counter(people.ledger.customer(lead).holder for lead in leads)
    assert set(holders) <= everyone
    assert holders[reps["Wang"].staff_id] == 5
    assert max(holders.values()) - min(holders.values()) <= 1

    # Step 5: the fairness report shows an even spread, no Blue Sun pattern.
    fairness = boss.get("/reports/fairness").json()
    rows = {row["staff_id"]: row for row in fairness["per_rep"]["items"]}
    assert {rows[r.staff_id]["leads"] for r in reps.values()} == {5}
    summary = fairness["summary"]["items"][0]
    assert summary["max_minus_min"] == 0 and summary["gini"] == 0
    assert summary["blue_sun_pattern"] is False

    # Step 7: "who received lead #17 and by which rule?" answered from the events.
    custody = people["allocation_team"].get(f"/customers/{leads[17]}/custody").json()["items"]
    assert custody[0]["rule"] == "lead_allocator"
    assert custody[0]["to_holder"] == people.ledger.customer(leads[17]).holder
