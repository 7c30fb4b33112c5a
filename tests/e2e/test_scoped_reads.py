"""Every list is scoped to the files its reader may open (issue 22, finding 3): a manager of
another team reads none of a team's customers through the feed, books, reports or pages."""

from __future__ import annotations

from uuid import UUID

import httpx

from ledger.enums import Role, Source, Tier
from tests.clock import T0, day
from tests.e2e.conftest import Caller, Directory

LATER = "2031-01-01T00:00:00Z"  # every held customer is due by then (rotation, neglect)


def page_text(people: Directory, token: str, path: str) -> str:
    answer = httpx.get(
        f"{people.base}{path}",
        cookies={"ledger_session": token},
        timeout=10,
        follow_redirects=False,
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_manager_of_another_team_reads_none_of_this_teams_customers(people: Directory) -> None:
    ledger = people.ledger
    south = ledger.join_staff("South Boss", Role.MANAGER, None, "south", "south", T0).id
    token, _ = ledger.issue_token(T0, "system:test", staff_id=south)
    other = Caller(people.base, token, str(south), ledger.event_count)
    boss, rep = people["manager"], people["sales_rep"].staff_id or ""
    names = [f"North Account {n}" for n in range(3)]
    for name in names:
        cid = ledger.register_customer(name, Source.REP_PROSPECTED, day(1)).id
        ledger.grade_customer(cid, Tier.C, "graded", day(1), boss.staff_id or "", {"revenue": 1})
        ledger.assign_customer(cid, UUID(rep), day(1), boss.staff_id or "")

    assert other.get("/events").status_code == 403  # the company's whole history
    mine = boss.get(f"/staff/{rep}/book").json()
    assert sum(len(held) for held in mine.values()) == 3
    theirs = other.get(f"/staff/{rep}/book").json()
    assert sum(len(held) for held in theirs.values()) == 0
    for report in ("holders", "due"):
        seen = boss.get(f"/reports/{report}", {"at": LATER}).text
        unseen = other.get(f"/reports/{report}", {"at": LATER}).text
        assert all(name in seen for name in names), report
        assert not any(name in unseen for name in names), report
    for path in (f"/ui/due?at={LATER}", f"/ui/at-risk?at={LATER}", "/ui/audit"):
        assert not any(name in page_text(people, token, path) for name in names), path
    assert any(name in page_text(people, boss.token, f"/ui/due?at={LATER}") for name in names)


def test_a_refused_page_keeps_the_navigation_and_speaks_names(people: Directory) -> None:
    ledger = people.ledger
    boss, rep = people["manager"], people["sales_rep"]
    south = ledger.join_staff("South Boss", Role.MANAGER, None, "south", "south", T0).id
    token, _ = ledger.issue_token(T0, "system:test", staff_id=south)
    cid = ledger.register_customer("Liu Motors", Source.REP_PROSPECTED, day(1)).id
    ledger.assign_customer(cid, UUID(rep.staff_id or ""), day(1), boss.staff_id or "")
    boss.get(f"/customers/{cid}")  # the read models hold the file before the page is asked
    answer = httpx.get(
        f"{people.base}/ui/customers/{cid}", cookies={"ledger_session": token}, timeout=10
    )
    assert answer.status_code == 403
    assert "South Boss" in answer.text and "this customer" in answer.text
    assert "Liu Motors" not in answer.text  # the name is part of what was refused
    assert 'href="/ui/at-risk' in answer.text  # the navigation is still there
    assert str(cid) not in answer.text.split("<main>")[1].split("Code:")[0]
    assert "SEED-RULES" not in answer.text
