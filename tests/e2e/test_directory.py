"""Finding customers and staff by name (issue 20, item 4): lists scoped to the files their
reader may open, pages by cursor, and the dashboard's box opening a file by its name."""

from __future__ import annotations

from uuid import UUID

import httpx

from ledger.enums import Role, Seniority, Source, Tier
from tests.clock import T0, day
from tests.e2e.conftest import Caller, Directory


def test_customers_are_searched_by_name_within_the_readers_own_files(people: Directory) -> None:
    ledger = people.ledger
    boss, rep = people["manager"], people["sales_rep"]
    south = ledger.join_staff("Zhou Wei", Role.SALES_REP, Seniority.SENIOR, "south", "s", T0).id
    held = {}
    for n, name in enumerate(("Liu Motors", "Liu Foods", "Gao Steel", "Liu Textiles")):
        cid = ledger.register_customer(name, Source.IMPORTED, T0).id
        ledger.grade_customer(cid, Tier.C, "graded", T0, boss.staff_id or "", {"revenue": 1})
        owner = south if name == "Liu Textiles" else UUID(rep.staff_id or "")
        ledger.assign_customer(cid, owner, day(1 + n), boss.staff_id or "")
        held[name] = str(cid)

    mine = rep.get("/customers", {"q": "liu"}).json()
    assert [c["name"] for c in mine["items"]] == ["Liu Foods", "Liu Motors"]  # not the south one
    assert mine["next"] is None and mine["items"][0]["holder"] == rep.staff_id
    auditor = people["auditor"].get("/customers", {"q": "LIU"}).json()
    assert [c["name"] for c in auditor["items"]] == ["Liu Foods", "Liu Motors", "Liu Textiles"]

    seen, after = [], None
    while True:  # one at a time, by cursor: every customer once, in name order
        params: dict[str, object] = {"limit": 1, **({"after": after} if after else {})}
        answer = people["auditor"].get("/customers", params).json()
        seen += [c["name"] for c in answer["items"]]
        after = answer["next"]
        if after is None:
            break
    assert seen == sorted(held)
    pool = people["auditor"].get("/customers", {"pool": True}).json()["items"]
    assert not [c for c in pool if c["name"] in held]

    staff = boss.get("/staff", {"q": "zhou"}).json()
    assert [s["name"] for s in staff["items"]] == ["Zhou Wei"]
    assert staff["items"][0]["team"] == "south"


def test_the_dashboards_box_opens_a_file_by_its_name(people: Directory) -> None:
    ledger = people.ledger
    boss, rep = people["manager"], people["sales_rep"]
    cid = ledger.register_customer("Liu Motors", Source.IMPORTED, T0).id
    ledger.assign_customer(cid, UUID(rep.staff_id or ""), day(1), boss.staff_id or "")
    rep.get("/customers")  # waits until the read models hold the assignment
    cookies = {"ledger_session": rep.token}
    one = httpx.get(f"{people.base}/ui/customer", params={"id": "liu mot"}, cookies=cookies)
    assert one.status_code == 303 and one.headers["location"] == f"/ui/customers/{cid}"
    none = httpx.get(f"{people.base}/ui/customer", params={"id": "nobody"}, cookies=cookies)
    assert none.status_code == 200 and "No customer you may open" in none.text
    other = Caller(people.base, people["auditor"].token)
    assert other.get("/customers", {"q": "liu"}).json()["items"][0]["customer_id"] == str(cid)
