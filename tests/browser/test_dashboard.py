"""The dashboard in headless Chromium: log in, click through every page, and check each number
shown against the JSON API that the same server answers."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import CUSTOMERS, Site, login, screenshot

AT = "2025-12-31"  # the demo's last day; the API takes the same instant with its offset
API_AT = {"at": f"{AT}T00:00:00+00:00"}
YEAR_2024 = {"from": "2024-01-01", "to": "2025-01-01"}
API_2024 = {"from": "2024-01-01T00:00:00+00:00", "to": "2025-01-01T00:00:00+00:00", **API_AT}


def api(site: Site, who: str, path: str, params: dict[str, Any] | None = None) -> Any:
    response = site.callers[who].get(path, params)
    assert response.status_code == 200, response.text
    return response.json()


def shown_texts(page: Page, name: str) -> list[str]:
    return page.locator(f"[data-testid='{name}']").all_inner_texts()


def number(page: Page, name: str) -> int:
    return int(page.locator(f"[data-testid='{name}']").first.inner_text())


def reads_by(site: Site, customer_id: str, reader: str) -> list[tuple[str, bool]]:
    rows = api(site, "auditor", f"/customers/{customer_id}/reads")["items"]
    return [(r["what"], r["allowed"]) for r in rows if r["reader"] == reader]


def test_a_visitor_is_sent_to_log_in_and_then_to_the_page_asked_for(page: Page, site: Site) -> None:
    page.goto(site.url(f"/ui/at-risk?at={AT}"))
    assert "/ui/login" in page.url
    page.fill("#token", "not-a-token")
    page.click("form[action='/ui/login'] button")
    assert "not known" in page.locator("[role='alert']").inner_text()
    page.fill("#token", site.callers["phone"].token)
    page.click("form[action='/ui/login'] button")
    assert "Integration client tokens" in page.locator("[role='alert']").inner_text()

    page.fill("#token", site.callers["allocation_team"].token)
    page.click("form[action='/ui/login'] button")
    assert page.url == site.url(f"/ui/at-risk?at={AT}")
    assert site.people["allocation_team"].name in page.locator("[data-testid='who']").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "ledger_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.click("text=Log out")
    assert "/ui/login" in page.url
    page.goto(site.url("/ui/due"))
    assert "/ui/login" in page.url

    page.goto(site.url("/ui/login?next=//example.org/"))  # never sent off this server
    page.fill("#token", site.callers["allocation_team"].token)
    page.click("form[action='/ui/login'] button")
    assert page.url == site.url("/ui/")


def test_the_home_page_counts_are_the_reports_totals(page: Page, site: Site) -> None:
    login(page, site, "manager", f"/ui/?at={AT}")
    due = api(site, "manager", "/reports/due", API_AT)
    assert number(page, "at-risk-count") == api(site, "manager", "/reports/control", API_AT)["at_risk"]["total"]  # fmt: skip
    assert number(page, "transfers") == api(site, "manager", "/reports/transfers", API_AT)["transfers"]["total"]  # fmt: skip
    assert number(page, "due-rotations") == due["rotations_due"]["total"]
    assert number(page, "due-neglected") == due["neglected"]["total"]
    assert number(page, "due-complaints") == due["complaints_overdue"]["total"]
    assert number(page, "due-unverified") == due["unverified_contacts"]["total"]
    fairness = api(site, "manager", "/reports/fairness", API_AT)["summary"]["items"][0]
    assert shown_texts(page, "leads") == [f"{fairness['leads']} leads"]
    # a manager counts the files they may open (their team's), not the company's
    theirs = api(site, "manager", "/customers", {"limit": 1000})["items"]
    assert number(page, "customers") == len(theirs) < CUSTOMERS
    screenshot(page, "home")


def test_the_at_risk_list_is_the_api_s_and_opens_an_audited_customer_timeline(
    page: Page, site: Site
) -> None:
    login(page, site, "allocation_team", f"/ui/at-risk?at={AT}")
    expected = api(site, "allocation_team", "/reports/control", API_AT)["at_risk"]["items"]
    rows = page.locator("table[data-testid='at-risk'] tbody tr")
    shown = [row.get_attribute("data-customer-id") for row in rows.all()]
    assert shown == [r["customer_id"] for r in expected] and len(shown) == 20
    assert shown_texts(page, "score") == [str(r["score"]) for r in expected]
    assert rows.first.locator(".reasons li").all_inner_texts() == expected[0]["reasons"]
    screenshot(page, "at-risk")

    customer_id = expected[0]["customer_id"]
    reader = str(site.people["allocation_team"].id)
    before = reads_by(site, customer_id, reader)
    rows.first.locator("a").click()
    assert page.url.startswith(site.url(f"/ui/customers/{customer_id}"))
    screenshot(page, "customer-at-risk")
    assert reads_by(site, customer_id, reader) == [*before, ("file", True), ("custody", True)]

    holder = api(site, "auditor", f"/customers/{customer_id}/holder")
    assert page.locator("[data-testid='holder']").get_attribute("data-staff-id") == holder["holder"]
    assert page.locator("[data-testid='holder']").inner_text() == holder["holder_name"]
    assert page.locator("[data-testid='customer-name']").inner_text().startswith(holder["name"])
    file = api(site, "auditor", f"/customers/{customer_id}")
    per_person = page.locator("table[data-testid='contacts-by-person'] tbody tr td:nth-child(3)")
    assert sum(int(n) for n in per_person.all_inner_texts()) == len(file["contacts"])
    verified = [c for c in file["contacts"] if c["verified_at"]]
    assert page.locator("table[data-testid='callbacks'] tbody tr").count() == max(len(verified), 1)
    custody = api(site, "auditor", f"/customers/{customer_id}/custody")
    assert page.locator("table[data-testid='custody'] tbody tr").count() == custody["total"]
    last_holder = page.locator("table[data-testid='holders'] tbody tr").last
    assert last_holder.locator("td").nth(1).inner_text() == "now"
    assert last_holder.locator("td").nth(2).get_attribute("data-staff-id") == holder["holder"]
    assert page.locator("[data-testid='timeline-chart'] svg g[id^='holding-']").count() >= 1


def test_fairness_and_concentration_show_the_api_s_numbers_and_a_bar_per_rep(
    page: Page, site: Site
) -> None:
    login(page, site, "manager", f"/ui/fairness?at={AT}")
    fairness = api(site, "manager", "/reports/fairness", API_AT)
    summary = fairness["summary"]["items"][0]
    sentence = page.locator("[data-testid='fairness-sentence']").inner_text()
    share, fair = f"{summary['top_reps_share']:.0%}", f"{summary['top_reps_fair_share']:.0%}"
    assert f"The top {summary['top_reps']} rep" in sentence
    assert f"got {share} of the {summary['leads']} inbound leads" in sentence
    assert sentence.endswith(f"a fair split would have given them {fair}.")
    page.get_by_text("The statistics").click()  # one click away
    assert number(page, "leads-total") == summary["leads"]
    assert float(page.locator("[data-testid='gini']").inner_text()) == summary["gini"]
    assert page.locator("[data-testid='top-fifth']").inner_text() == f"{summary['top_fifth_share']:.1%}"  # fmt: skip
    leads = {
        row.get_attribute("data-staff-id"): int(row.locator("[data-testid='leads']").inner_text())
        for row in page.locator("table[data-testid='leads-per-rep'] tbody tr").all()
    }
    assert leads == {r["staff_id"]: r["leads"] for r in fairness["per_rep"]["items"]}
    bars = page.locator("[data-testid='fairness-chart'] svg g[id^='leads-']")
    assert bars.count() == summary["eligible_reps"]
    held = api(site, "manager", "/reports/concentration", API_AT)["per_rep"]["items"]
    totals = [int(t) for t in shown_texts(page, "held")]
    assert totals == sorted((r["total"] for r in held), reverse=True)
    assert page.locator("[data-testid='concentration-chart'] svg g[id^='held-']").count() > 0
    screenshot(page, "fairness", document=True)


def test_the_transfers_page_lists_the_period_s_moves_with_their_approvals(
    page: Page, site: Site
) -> None:
    period = f"at={AT}&from={YEAR_2024['from']}&to={YEAR_2024['to']}"
    login(page, site, "allocation_team", f"/ui/transfers?{period}")
    moves = api(site, "allocation_team", "/reports/transfers", API_2024)["transfers"]["items"]
    assert number(page, "transfers-count") == len(moves)
    approved = [m for m in moves if m["approver"]]
    assert approved, "the demo approves an A-tier transfer in September 2024"
    assert number(page, "approved-count") == len(approved)
    names = [n for n in shown_texts(page, "approver") if n]
    assert len(names) == len(approved) and site.people["manager"].name not in names
    assert "approved" in shown_texts(page, "outcome")
    screenshot(page, "transfers")

    page.locator("table[data-testid='transfers'] tr.approved a").first.click()
    assert page.url.startswith(site.url(f"/ui/customers/{approved[0]['customer_id']}"))
    holders = page.locator("table[data-testid='holders'] tbody tr")
    assert holders.count() >= 2
    assert any(f"approved by {names[0]}" in row for row in holders.all_inner_texts())
    screenshot(page, "customer", document=True)


def test_the_due_lists_count_what_the_api_counts(page: Page, site: Site) -> None:
    login(page, site, "allocation_team", f"/ui/due?at={AT}")
    due = api(site, "allocation_team", "/reports/due", API_AT)
    for testid, section in (
        ("rotations-due", "rotations_due"), ("neglected", "neglected"),
        ("complaints-overdue", "complaints_overdue"), ("unverified", "unverified_contacts"),
    ):  # fmt: skip
        assert number(page, testid) == due[section]["total"], section
    screenshot(page, "due")


def test_a_role_without_the_permission_gets_a_page_naming_it(page: Page, site: Site) -> None:
    login(page, site, "sales_rep")
    assert page.locator("nav a", has_text="At risk").count() == 0
    for path, permission in (("/ui/at-risk", "reports.read"), ("/ui/audit", "access.audit")):
        response = page.goto(site.url(path))
        assert response is not None and response.status == 403
        assert page.locator("[data-testid='permission']").inner_text() == permission
    screenshot(page, "forbidden")


def test_a_refused_file_read_is_a_403_page_and_shows_in_the_access_audit(
    page: Page, site: Site
) -> None:
    rep = site.people["sales_rep"]
    at_risk = api(site, "manager", "/reports/control", API_AT)["at_risk"]["items"]
    elsewhere = next(r["customer_id"] for r in at_risk if r["holder"] != rep.name)
    login(page, site, "sales_rep")
    page.fill("input[name='id']", elsewhere)
    with page.expect_response(lambda r: "/ui/customers/" in r.url) as opened:
        page.click("form[action='/ui/customer'] button")
    assert opened.value.status == 403
    assert page.locator("[data-testid='code']").inner_text() == "file_access_denied"
    page.click("text=Log out")

    share = {
        "recipient": "Partner Insurer", "purpose": "renewal quote", "scope": "customers",
        "scope_values": [elsewhere], "valid_from": "2026-01-01T00:00:00Z",
        "valid_to": "2027-01-01T00:00:00Z",
    }  # fmt: skip
    asked = site.callers["allocation_team"].post("/data-shares", share)
    assert asked.status_code == 201, asked.text
    approval = site.callers["manager"].post(f"/data-shares/{asked.json()['id']}/approval", {"note": "ok"})  # fmt: skip
    assert approval.status_code == 200, approval.text

    login(page, site, "auditor", f"/ui/audit?customer={elsewhere}")
    audit = api(site, "auditor", "/audit/access", {"customer": elsewhere})
    assert number(page, "refused-count") == len(audit["refused_reads"]) >= 1
    refused = page.locator("table[data-testid='refused-reads'] tbody tr")
    assert rep.name in refused.all_inner_texts()[0] and "file_access_denied" in refused.all_inner_texts()[0]  # fmt: skip
    assert refused.first.get_attribute("data-reader") == str(rep.id)
    assert number(page, "reads-count") == len(audit["reads"])
    assert number(page, "shares-count") == len(audit["shares"]) == 1
    approved = page.locator("table[data-testid='shares'] tbody tr").first.inner_text()
    assert "Partner Insurer" in approved and site.people["manager"].name in approved
    screenshot(page, "audit")
