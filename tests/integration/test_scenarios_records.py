"""The public scenarios of SEED-RULES.md section 2 for company records, one test each, on both
stores; each step's comment quotes the scenario."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from ledger.application import OwnershipLedger
from ledger.customer import Customer
from ledger.enums import (
    CallbackOutcome,
    ContactChannel,
    ContactKind,
    KeyRole,
    Role,
    Seniority,
    Severity,
    ShareScope,
    Source,
    TeamRole,
    Tier,
    TransferReason,
)
from ledger.errors import LedgerError
from projections.queries import customer_file, team
from projections.readmodels import ReadModels
from projections.reports import REPORTS, Period
from tests.clock import day
from tests.company import Company, facts


def test_s9_hand_off_after_the_contract(ledger: OwnershipLedger, models: ReadModels) -> None:
    co = Company(ledger)
    for name, kind, seniority in (
        ("R", Role.SALES_REP, Seniority.SENIOR), ("E", Role.SERVICE, None),
        ("T", Role.TECHNICAL, None), ("cb", Role.CALLBACK, None), ("alloc", Role.ALLOCATION_TEAM, None),
    ):  # fmt: skip
        co.hire(name, kind, seniority)
    p = co.customer("P", Tier.B)
    ledger.assign_customer(p, co["R"], day(0), co.by("alloc"))

    # 1. Prospect P, held by rep R, signs a contract. → A contract-signed event.
    ledger.sign_contract(p, "CT-P1", Decimal(120000), day(1), co.by("R"))

    # 2. The report lists P as "hand-off pending" until after-sales and technical staff are assigned.
    models.catch_up()
    with models.read() as tx:
        pending = REPORTS["discipline"](tx, Period(at=day(1), start=day(0)))["handoffs_pending"]
    assert [row["customer"] for row in pending] == ["P"]

    # 3. After-sales engineer E is assigned; P is in contact with at least 2 company people,
    #    and R stays the account holder.
    ledger.add_team_member(p, co["E"], TeamRole.SERVICE, day(2), co.by("alloc"))
    ledger.add_team_member(p, co["T"], TeamRole.TECHNICAL, day(2), co.by("alloc"))
    customer = ledger.customer(p)
    assert not customer.handoff_pending and customer.holder == co.by("R")

    # 4. Service contacts are logged by E. Callbacks follow the after-sales process.
    service = ledger.record_contact(
        p, co["E"], ContactKind.SERVICE, ContactChannel.IN_PERSON, day(3), co.by("E"),
        needs="commissioning", recorded_at=day(3),
    ).ref  # fmt: skip
    assert service is not None
    ledger.verify_contact(p, service, co["cb"], CallbackOutcome.CONFIRMED, day(4), co.by("cb"), 5)

    # 5. Who are all the company people who touched P since signing? → R, E, and the callback agent.
    models.catch_up()
    with models.read() as tx:
        file = customer_file(tx, str(p))
        pending = REPORTS["discipline"](tx, Period(at=day(4), start=day(0)))["handoffs_pending"]
    touched = {c["staff_id"] for c in file["contacts"] if c["occurred_at"] >= day(1).isoformat()}
    touched |= {c["caller"] for c in file["contacts"] if c["caller"]}
    touched |= {file["customer"]["holder"]}
    assert touched == {co.by("R"), co.by("E"), co.by("cb")}
    assert pending == []


def test_s10_central_records_and_access_permission(
    ledger: OwnershipLedger, models: ReadModels
) -> None:
    co = Company(ledger)
    co.hire("K", Role.CLERK, team="north")
    co.hire("R", Role.SALES_REP, Seniority.SENIOR)
    co.hire("alloc", Role.ALLOCATION_TEAM)
    mine, south = (
        ledger.register_customer(name, Source.REP_PROSPECTED, day(0), area=area).id
        for name, area in (("North Steel", "north"), ("South Foods", "south"))
    )
    for cid in (mine, south):
        ledger.grade_customer(cid, Tier.B, "graded", day(0), "system", {"revenue": 5})
        ledger.assign_customer(cid, co["R"], day(0), co.by("alloc"))

    # 1. Clerk K reads customer files in K's own branch. → Allowed.
    ledger.read_customer_file(co.by("K"), mine, "file", day(1))

    # 2. K reads a file outside K's permission. → Refused, and the refusal is logged.
    with pytest.raises(LedgerError) as refused:
        ledger.read_customer_file(co.by("K"), south, "file", day(1))
    assert refused.value.code == "file_access_denied"

    # 3. Rep R logs a visit 10 days after it happened. → Accepted, and flagged as a late entry.
    ledger.record_contact(
        mine, co["R"], ContactKind.VISIT, ContactChannel.IN_PERSON, day(2), co.by("R"),
        recorded_at=day(12),
    )  # fmt: skip

    # 5. A file with no named custodian, or no update within the period, is reported.
    models.catch_up()
    with models.read() as tx:
        discipline = REPORTS["discipline"](tx, Period(at=day(200), start=day(0), days=90))
        audit = REPORTS["complaints"](tx, Period(at=day(30), start=day(0)))
    assert [r["reader"] for r in audit["refused_reads"]] == [co.by("K")]
    assert [k["days_late"] for k in discipline["late_entries"]] == [10]
    stale = {r["customer"]: r["problem"] for r in discipline["files_without_custodian_or_update"]}
    assert stale == {"North Steel": "no update", "South Foods": "no update"}


def test_s12_fair_dispersed_allocation(ledger: OwnershipLedger, models: ReadModels) -> None:
    co = Company(ledger)
    co.hire("alloc", Role.ALLOCATION_TEAM)
    co.hire("sales_manager", Role.SALES_REP, Seniority.SENIOR)  # leads sales, not allocation
    reps: dict[str, Seniority] = {f"s{i}": Seniority.SENIOR for i in range(3)} | {f"e{i}": Seniority.EXPERIENCED for i in range(3)} | {f"n{i}": Seniority.NEW for i in range(3)}  # fmt: skip
    for name, seniority in reps.items():
        co.hire(name, Role.SALES_REP, seniority)
    ledger.adopt_policy({"max_a_per_rep": 3}, day(0), "fixture cap", day(0), co.by("alloc"))

    # 1. A batch of 40 new customers is graded A/B/C. → Grading events.
    tiers = [Tier.A] * 8 + [Tier.B] * 12 + [Tier.C] * 20
    batch = [co.customer(f"c{i:02d}", tier) for i, tier in enumerate(tiers)]

    # 2. A sales manager who is not on the allocation team tries to allocate them. → Refused.
    with pytest.raises(LedgerError) as refused:
        ledger.assign_customer(batch[0], co["s0"], day(1), co.by("sales_manager"))
    assert refused.value.code == "not_allocation_team"

    # 3. The allocation team allocates them, matching tier to seniority; every assignment
    #    records the rule and its inputs.
    for cid in batch:
        ledger.allocate_lead(cid, day(1), co.by("alloc"))
    holders = {cid: ledger.customer(cid).holder for cid in batch}
    rank = {co.by(n): s for n, s in reps.items()} | {co.by("sales_manager"): Seniority.SENIOR}
    assert all(rank[h or ""] is Seniority.SENIOR for c, h in holders.items() if ledger.customer(c).tier is Tier.A)  # fmt: skip
    assert all(rank[h or ""] is not Seniority.NEW for c, h in holders.items() if ledger.customer(c).tier is Tier.B)  # fmt: skip

    # 4. One rep ends up holding more than the A-tier threshold (here by a manager's recorded
    #    exception to the cap of 3). → The dispersion report flags it.
    ledger.adopt_policy({"max_a_per_rep": 3, "modes": {"dispersion": "exception"}}, day(1), "S12", day(1), co.by("alloc"))  # fmt: skip
    co.hire("boss", Role.MANAGER)
    s0 = co.by("s0")
    extra = [co.customer(f"x{i}", Tier.A) for i in range(4)]
    for cid in extra:
        if sum(t is Tier.A for t in ledger.staff(s0).book.values()) >= 3:
            with pytest.raises(LedgerError) as capped:
                ledger.assign_customer(cid, co["s0"], day(2), co.by("alloc"))
            assert capped.value.code.startswith("rep_")
            grant = co.exception(cid, "s0", "key-account continuity")
            ledger.assign_customer(cid, co["s0"], day(2), co.by("alloc"), exception=grant)
        else:
            ledger.assign_customer(cid, co["s0"], day(2), co.by("alloc"))
    models.catch_up()
    with models.read() as tx:
        spread = REPORTS["concentration"](tx, Period(at=day(2), start=day(0)))
    assert [r["rep"] for r in spread["per_rep"] if r["over_a_cap"]] == ["s0"]
    assert spread["summary"][0]["reps_over_a_cap"] == 1

    # 5. The periodic allocation-result review records the adjustments, with reasons.
    moved = next(c for c in batch if ledger.customer(c).tier is Tier.C)
    target = next(co[n] for n in reps if str(co[n]) != holders[moved])
    ledger.reassign_customer(moved, target, TransferReason.REBALANCE, day(3), co.by("alloc"))
    reasons = [e.reason_code.value for e in facts(ledger, moved, Customer.Reassigned)]
    assert reasons == ["rebalance"]


def test_s13_key_account_team_coverage(ledger: OwnershipLedger, models: ReadModels) -> None:
    co = Company(ledger)
    for name, kind, seniority in (
        ("am", Role.SALES_REP, Seniority.SENIOR), ("svc", Role.SERVICE, None),
        ("tech", Role.TECHNICAL, None), ("exec", Role.MANAGER, None),
        ("alloc", Role.ALLOCATION_TEAM, None), ("clerk", Role.CLERK, None),
    ):  # fmt: skip
        co.hire(name, kind, seniority)
    z = co.customer("Z", Tier.A)
    ledger.assign_customer(z, co["am"], day(0), co.by("alloc"))
    ledger.record_contact(z, co["am"], ContactKind.VISIT, ContactChannel.IN_PERSON, day(1), co.by("am"), recorded_at=day(1))  # fmt: skip

    # 1. Z has one named account manager and no other company contact. → The coverage report
    #    flags it, and asks for the decision maker and influencers.
    models.catch_up()
    with models.read() as tx:
        before = REPORTS["discipline"](tx, Period(at=day(2), start=day(0)))
    assert [r["customer"] for r in before["key_accounts_covered_by_holder_alone"]] == ["Z"]
    assert [r["missing"] for r in before["key_accounts_without_key_people"]] == [["decision_maker", "influencer"]]  # fmt: skip

    # 2. An account team is formed, naming a service lead, a technical lead and an executive sponsor.
    for name, role in (("svc", TeamRole.SERVICE_LEAD), ("tech", TeamRole.TECHNICAL_LEAD), ("exec", TeamRole.EXECUTIVE_SPONSOR)):  # fmt: skip
        ledger.add_team_member(z, co[name], role, day(3), co.by("alloc"))
    ledger.record_key_contact(z, "Mr Gao", "GM", KeyRole.DECISION_MAKER, day(3), co.by("clerk"))
    ledger.record_key_contact(z, "Ms Lin", "CTO", KeyRole.INFLUENCER, day(3), co.by("clerk"))

    # 3. Z's decision maker changes. → An early-warning event is raised.
    ledger.record_key_contact(z, "Ms Deng", "GM", KeyRole.DECISION_MAKER, day(4), co.by("clerk"))
    assert [type(e).__name__ for e in ledger.events.get(z)][-1] == "KeyPersonnelChangeWarned"

    # 4. The coverage of Z at each relationship level, answered from events.
    models.catch_up()
    with models.read() as tx:
        after = REPORTS["discipline"](tx, Period(at=day(5), start=day(0)))
        levels = {m["role"] for m in team(tx, str(z))}
        file = customer_file(tx, str(z))
    assert levels == {"holder", "service_lead", "technical_lead", "executive_sponsor"}
    assert {(k["role"], k["person"]) for k in file["key_people"]} == {("decision_maker", "Ms Deng"), ("influencer", "Ms Lin")}  # fmt: skip
    assert after["key_accounts_covered_by_holder_alone"] == []
    assert after["key_accounts_without_key_people"] == []


def test_s11_gas_station_development_logging(ledger: OwnershipLedger, models: ReadModels) -> None:
    co = Company(ledger)
    co.hire("M", Role.SALES_REP, Seniority.EXPERIENCED)  # station manager of station 7
    co.hire("M2", Role.SALES_REP, Seniority.EXPERIENCED)  # station manager of station 9
    co.hire("A", Role.MANAGER)  # area manager
    co.hire("post", Role.CLERK)  # the company management post
    monday = day(3)  # 2024-03-04, a Monday
    ledger.agree_station_target("station-7", "2024-03", 2, Decimal(5000), day(0), co.by("A"))
    ledger.agree_station_target("station-9", "2024-03", 1, Decimal(1000), day(0), co.by("A"))

    # 1. Station manager M plans an outbound development visit; the pre-visit call to area
    #    manager A is recorded.
    dev = ledger.plan_development("station-7", co["A"], "Water Bureau", monday, co.by("M")).id
    with pytest.raises(LedgerError) as early:
        ledger.enter_development(dev, "too soon", monday, co.by("M"))
    assert early.value.code == "development_step_out_of_order"

    # 2. M visits the bureau; the post-visit report call and an electronic-ledger entry are recorded.
    ledger.record_development_visit(dev, "fleet of 12 trucks", co["A"], monday, co.by("M"))
    ledger.enter_development(dev, "Water Bureau: 12 trucks, unit card agreed", monday, co.by("M"))

    # 3. The bureau issues a unit card with a first top-up. → The success is uploaded to the
    #    company management post for filing, and the first top-up amount is recorded.
    ledger.record_development_success(dev, "UC-0071", Decimal(3000), day(4), co.by("M"))
    with pytest.raises(LedgerError) as not_post:
        ledger.file_development(dev, "F-1", day(4), co.by("M"))
    assert not_post.value.code == "wrong_role_for_step"
    ledger.file_development(dev, "F-2024-031", day(4), co.by("post"))
    other = ledger.plan_development("station-9", co["A"], "Taxi Co", day(4), co.by("M2")).id
    for step in (
        lambda: ledger.record_development_visit(other, "40 cabs", co["A"], day(4), co.by("M2")),
        lambda: ledger.enter_development(other, "Taxi Co: 40 cabs", day(4), co.by("M2")),
        lambda: ledger.record_development_success(other, "UC-0090", Decimal(800), day(5), co.by("M2")),
    ):  # fmt: skip
        step()

    # 4. Sunday: area manager A has not submitted the weekly progress form. → The flag is raised.
    sunday = (monday + timedelta(days=6)).date()
    models.catch_up()
    with models.read() as tx:
        monday_after = REPORTS["development"](tx, Period(at=day(10), start=day(0)))
    assert monday_after["missing_weekly_forms"] == [
        {"area_manager_id": co.by("A"), "week_ending": sunday.isoformat()}
    ]
    ledger.submit_weekly_progress(sunday, "two developments, one card", 2, day(10), co.by("A"))
    with pytest.raises(LedgerError) as twice:
        ledger.submit_weekly_progress(sunday, "again", 2, day(10), co.by("A"))
    assert twice.value.code == "weekly_form_already_submitted"

    # 5. Month end: the target completion rate per station and the hero-board ranking.
    models.catch_up()
    with models.read() as tx:
        month_end = REPORTS["development"](tx, Period(at=day(30), start=day(0)))
    completion = {r["station"]: (r["cards"], r["card_completion"], r["top_up_completion"]) for r in month_end["completion"]}  # fmt: skip
    assert completion == {"station-7": (1, 0.5, 0.6), "station-9": (1, 1.0, 0.8)}
    assert [(r["rank"], r["station"]) for r in month_end["hero_board"]] == [(1, "station-7"), (2, "station-9")]  # fmt: skip
    assert [r["target"] for r in month_end["not_logged_through"]] == ["Taxi Co"]  # not yet filed
    assert {r["week_ending"] for r in month_end["missing_weekly_forms"]} == {
        "2024-03-17", "2024-03-24",
    }  # fmt: skip


def test_s8_private_use_violation_ladder(ledger: OwnershipLedger, models: ReadModels) -> None:
    co = Company(ledger)
    co.hire("R", Role.SALES_REP, Seniority.SENIOR)
    co.hire("mid", Role.SALES_REP, Seniority.EXPERIENCED)
    co.hire("boss", Role.MANAGER)
    co.hire("boss2", Role.MANAGER)  # four eyes: the share's approver is not its requester
    co.hire("alloc", Role.ALLOCATION_TEAM)
    book = [co.customer(name, Tier.B) for name in ("Acme", "Brill", "Cobalt")]
    for cid in book:
        ledger.assign_customer(cid, co["R"], day(0), co.by("alloc"))
    token, _ = ledger.issue_token(day(0), "system:test", staff_id=co["R"])

    # 1. R forwards a customer's details to a colleague in another company without approval.
    #    → A minor violation: written warning and stop order, recorded (rule 47).
    minor = ledger.record_violation(co["R"], Severity.MINOR, "forwarded Acme's contacts", day(1), co.by("boss")).id  # fmt: skip
    assert [type(e).__name__ for e in ledger.events.get(minor)] == ["Recorded", "WarningIssued", "StopOrdered"]  # fmt: skip

    # 2. R tries to transfer a customer contact list to an outside party. → Refused (the attempt
    #    is recorded). A serious violation opens an internal investigation (rule 48).
    with pytest.raises(LedgerError) as refused:
        ledger.export_customer_data(book, "Outside Party Ltd", "contact list", day(2), co.by("R"))
    assert refused.value.code == "data_export_without_share"
    attempt = UUID(refused.value.params["attempt_id"])
    serious = ledger.record_violation(co["R"], Severity.SERIOUS, "tried to export the list", day(2), co.by("boss"), export_id=attempt).id  # fmt: skip
    assert [type(e).__name__ for e in ledger.events.get(serious)] == ["Recorded", "InvestigationOpened"]  # fmt: skip

    # 4. (before R leaves) The company-approved campaign sharing of registration data with a
    #    partner insurer is an approved sharing event. → Accepted, and not a violation (152).
    share = ledger.request_data_share(
        "Partner Insurer", "card campaign", ShareScope.CUSTOMERS, [str(c) for c in book],
        day(3), day(60), day(3), co.by("boss"),
    ).id  # fmt: skip
    ledger.approve_data_share(share, "campaign agreed", day(3), co.by("boss2"))
    ledger.export_customer_data(book[:2], "Partner Insurer", "card campaign", day(4), co.by("boss"))

    # 3. Evidence of a side deal for extra commission. → A malicious violation ends in
    #    termination (rule 49): all R's customers go back to the company and are reassigned;
    #    R's access is revoked.
    plan: dict[UUID, UUID | None] = {book[0]: co["mid"], book[1]: co["mid"], book[2]: None}
    ledger.record_violation(co["R"], Severity.MALICIOUS, "side deal for commission", day(5), co.by("boss"), plan=plan)  # fmt: skip
    assert ledger.staff(co["R"]).is_departed and ledger.staff(co["R"]).book == {}
    assert [ledger.customer(c).holder for c in book] == [co.by("mid"), co.by("mid"), None]
    with pytest.raises(LedgerError) as revoked:
        ledger.principal(token, day(6))
    assert revoked.value.code == "staff_departed"

    # 5. Report: violations by severity, rep and period; the approved share is not among them.
    models.catch_up()
    with models.read() as tx:
        report = REPORTS["complaints"](tx, Period(at=day(10), start=day(0)))
    assert sorted((v["severity"], v["staff"]) for v in report["violations"]) == [
        ("malicious", "R"), ("minor", "R"), ("serious", "R"),
    ]  # fmt: skip
    assert [x["recipient"] for x in report["refused_data_exports"]] == ["Outside Party Ltd"]
