"""No private use of customer data (42–50, 152), on SQLite and PostgreSQL: shares, exports,
the violation ladder, and the access audit rebuilt from the events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from ledger.application import OwnershipLedger, Receipt
from ledger.enums import Role, Severity, ShareScope, Source, Tier
from ledger.errors import AccessDenied, LedgerError
from ledger.privacy_demo import add_privacy_story
from projections import privacy
from projections.readmodels import ReadModels
from tests.clock import day
from tests.company import Company, standard_company

INSURER, CAMPAIGN = "Partner Insurer", "card holders' insurance campaign"
HOLDINGS = {"Acme": "senior", "Brill": "senior", "Cobalt": "senior", "Dyna": "mid"}


@pytest.fixture
def co(ledger: OwnershipLedger) -> Company:
    """`senior` holds Acme, Brill and Cobalt; `mid` holds Dyna; all tier C."""
    company = standard_company(ledger)
    for name, holder in HOLDINGS.items():
        ledger.assign_customer(
            company.customer(name, Tier.C), company[holder], day(1), company.by("alloc")
        )
    return company


def refused(ledger: OwnershipLedger, command: Callable[[], object], stored: int = 0) -> LedgerError:
    """Run a command that must be refused; prove only `stored` events were kept; return the refusal."""
    before = ledger.event_count()
    with pytest.raises(LedgerError) as refusal:
        command()
    assert ledger.event_count() == before + stored
    assert refusal.value.message
    return refusal.value


def notifications(ledger: OwnershipLedger) -> list[Any]:
    return list(ledger.recorder.select_notifications(0, 10_000))


def kinds(ledger: OwnershipLedger, aggregate_id: UUID | str) -> list[str]:
    return [type(e).__qualname__ for e in ledger.events.get(UUID(str(aggregate_id)))]


def events(ledger: OwnershipLedger, aggregate_id: UUID | str) -> list[Any]:
    return list(ledger.events.get(UUID(str(aggregate_id))))


def exporting(
    co: Company,
    names: tuple[str, ...] = ("Acme",),
    recipient: str = INSURER,
    purpose: str = CAMPAIGN,
    at: int = 5,
    share: UUID | None = None,
) -> Callable[[], Receipt]:
    """`senior` hands the named customers' data to `recipient`."""
    customers = [co[name] for name in names]
    return lambda: co.ledger.export_customer_data(
        customers, recipient, purpose, day(at), co.by("senior"), share
    )


def violating(
    co: Company, person: str, severity: Severity, by: str = "boss", **options: Any
) -> Callable[[], Receipt]:
    return lambda: co.ledger.record_violation(
        co[person], severity, "misused customer data", day(6), co.by(by), **options
    )


def share_over(co: Company, scope: ShareScope, values: list[str], end: int = 30) -> UUID:
    """A campaign share requested by `senior` on day 1, not yet approved."""
    return co.ledger.request_data_share(
        INSURER, CAMPAIGN, scope, values, day(1), day(end), day(1), co.by("senior")
    ).id


def test_an_export_without_a_share_is_refused_with_its_code_and_the_attempt_is_recorded(
    co: Company,
) -> None:
    ledger = co.ledger
    refusal = refused(ledger, exporting(co, recipient="Rival Co", purpose="own use"), stored=2)
    assert isinstance(refusal, AccessDenied) and refusal.code == "data_export_without_share"
    attempt = refusal.params["attempt_id"]
    assert kinds(ledger, attempt) == ["DataExport.Requested", "DataExport.Refused"]
    recorded = events(ledger, attempt)[-1]
    assert (recorded.code, recorded.by) == ("data_export_without_share", co.by("senior"))
    assert not any(n.topic.endswith("DataExport.Exported") for n in notifications(ledger))
    unknown = refused(
        ledger,
        lambda: ledger.export_customer_data([UUID(int=7)], INSURER, CAMPAIGN, day(5), "system"),
    )
    assert unknown.code == "unknown_customer"


def test_an_export_covered_by_an_approved_share_is_recorded_with_the_share(co: Company) -> None:
    ledger = co.ledger
    share = share_over(co, ShareScope.HOLDER, [co.by("senior")])
    ledger.approve_data_share(share, "campaign agreed with the insurer", day(1), co.by("boss"))
    receipt = exporting(co, ("Acme", "Brill"), "partner  insurer", CAMPAIGN.upper())()
    assert receipt.ref == str(share)
    assert kinds(ledger, receipt.id) == ["DataExport.Requested", "DataExport.Exported"]
    assert events(ledger, receipt.id)[-1].share_id == str(share)
    assert kinds(ledger, share)[-1] == "DataShare.Used"
    outside = refused(ledger, exporting(co, ("Acme", "Dyna")), stored=2)
    assert outside.code == "data_share_scope_exceeded"
    assert outside.params["outside"] == [str(co["Dyna"])]
    other_purpose = refused(ledger, exporting(co, purpose="sell the list"), stored=2)
    assert other_purpose.code == "data_share_other_purpose"


def test_a_share_covers_nothing_before_approval_after_its_period_or_once_revoked(
    co: Company,
) -> None:
    ledger = co.ledger
    share = share_over(co, ShareScope.CUSTOMERS, [str(co["Acme"])], end=10)
    assert refused(ledger, exporting(co, at=2, share=share), stored=2).code == "data_share_not_approved"  # fmt: skip
    assert refused(ledger, exporting(co, at=2), stored=2).code == "data_export_without_share"
    not_manager = refused(ledger, lambda: ledger.approve_data_share(share, "", day(2), co.by("alloc")))  # fmt: skip
    assert not_manager.code == "data_share_approver_not_manager"
    ledger.approve_data_share(share, "ok", day(2), co.by("boss"))
    assert exporting(co, at=3)().ref == str(share)
    assert refused(ledger, exporting(co, at=12), stored=2).code == "data_share_out_of_period"
    ledger.revoke_data_share(share, "campaign cancelled", day(5), co.by("boss"))
    assert refused(ledger, exporting(co, at=6), stored=2).code == "data_share_revoked"
    again = refused(ledger, lambda: ledger.revoke_data_share(share, "", day(6), co.by("boss")))
    assert again.code == "data_share_already_revoked"
    approve = refused(ledger, lambda: ledger.approve_data_share(share, "", day(6), co.by("boss")))
    assert approve.code == "data_share_not_pending"


def test_the_manager_who_requests_a_share_never_approves_it(co: Company) -> None:
    ledger = co.ledger
    share = ledger.request_data_share(
        "Rival Trading Co",
        "own use",
        ShareScope.CUSTOMERS,
        [str(co["Acme"])],
        day(1),
        day(30),
        day(1),
        co.by("boss"),
    ).id
    alone = refused(ledger, lambda: ledger.approve_data_share(share, "", day(2), co.by("boss")))
    assert alone.code == "data_share_self_approval" and alone.params["rule"] == "data_share"
    unapproved = refused(ledger, exporting(co, at=3, share=share), stored=2)
    assert unapproved.code == "data_share_not_approved"
    ledger.approve_data_share(share, "agreed by a second manager", day(2), co.by("boss2"))
    assert kinds(ledger, share)[-1] == "DataShare.Approved"


def test_a_minor_violation_brings_a_written_warning_and_a_stop_order(co: Company) -> None:
    ledger = co.ledger
    refusal = refused(ledger, exporting(co, recipient="colleague elsewhere"), stored=2)
    attempt = UUID(refusal.params["attempt_id"])
    minor = violating(co, "senior", Severity.MINOR, export_id=attempt)()
    assert kinds(ledger, minor.id) == [
        "Violation.Recorded",
        "Violation.WarningIssued",
        "Violation.StopOrdered",
    ]
    assert events(ledger, minor.id)[0].export_id == str(attempt)
    assert not ledger.staff(co["senior"]).is_departed
    codes = [
        refused(ledger, command).code
        for command in (
            violating(co, "senior", Severity.MINOR, by="alloc"),
            violating(co, "boss", Severity.MINOR, by="boss"),
            violating(co, "senior", Severity.MINOR, plan={}),
            violating(co, "senior", Severity.MINOR, export_id=UUID(int=3)),
        )
    ]
    assert codes == [
        "violation_not_authorised",
        "violation_self",
        "violation_plan_without_termination",
        "unknown_export",
    ]


def test_a_serious_violation_opens_an_investigation_a_manager_closes_once(co: Company) -> None:
    ledger = co.ledger
    serious = violating(co, "senior", Severity.SERIOUS)().id
    assert kinds(ledger, serious) == ["Violation.Recorded", "Violation.InvestigationOpened"]
    ledger.close_investigation(serious, "confirmed; warned", day(9), co.by("boss2"), warning=True)
    assert kinds(ledger, serious)[-2:] == ["Violation.InvestigationClosed", "Violation.WarningIssued"]  # fmt: skip
    twice = refused(ledger, lambda: ledger.close_investigation(serious, "x", day(10), co.by("boss")))  # fmt: skip
    assert twice.code == "investigation_not_open"
    held = {str(co[name]) for name in ("Acme", "Brill", "Cobalt")}
    assert set(ledger.staff(co["senior"]).book) == held


def test_a_malicious_violation_terminates_the_person_and_the_departure_plan_moves_every_customer(
    co: Company,
) -> None:
    ledger = co.ledger
    token, _ = ledger.issue_token(day(1), "system:test", staff_id=co["senior"])
    partial = {co["Acme"]: co["mid"]}
    incomplete = refused(ledger, violating(co, "senior", Severity.MALICIOUS, plan=partial))
    assert incomplete.code == "departure_plan_incomplete"
    plan: dict[UUID, UUID | None] = {**partial, co["Brill"]: None, co["Cobalt"]: None}
    receipt = violating(co, "senior", Severity.MALICIOUS, plan=plan)()
    assert kinds(ledger, receipt.id) == ["Violation.Recorded", "Violation.EmploymentTerminated"]
    assert events(ledger, receipt.id)[-1].plan == {
        str(customer): str(successor) if successor else None for customer, successor in plan.items()
    }
    senior = ledger.staff(co["senior"])
    assert senior.is_departed and senior.book == {}
    assert kinds(ledger, co["senior"])[-1] == "Staff.Departed"
    holders = [ledger.customer(co[name]).holder for name in ("Acme", "Brill", "Cobalt")]
    assert holders == [co.by("mid"), None, None]
    assert kinds(ledger, co["Brill"])[-1] == "Customer.Released"
    assert str(co["Acme"]) in ledger.staff(co["mid"]).book
    # one save: the violation (2), the leaver (3 unbooked + departed), 3 customers, mid's book
    assert len(receipt.positions) == 2 + 4 + 3 + 1
    assert refused(ledger, lambda: ledger.principal(token, day(7))).code == "staff_departed"


def test_a_termination_without_a_plan_returns_every_customer_to_the_company_pool(
    co: Company,
) -> None:
    ledger = co.ledger
    violating(co, "mid", Severity.MALICIOUS)()
    assert ledger.staff(co["mid"]).is_departed
    assert ledger.customer(co["Dyna"]).holder is None
    already = refused(ledger, violating(co, "mid", Severity.MALICIOUS))
    assert already.code == "staff_departed"


def audit_history(co: Company) -> dict[str, str]:
    """Allowed and refused reads, an area share, an export and a refused one, two violations."""
    ledger = co.ledger
    south = ledger.register_customer("Southern", Source.IMPORTED, day(0), area="south").id
    clerk = co.hire("clerk", Role.CLERK, team="south")
    ledger.read_customer_file(co.by("senior"), co["Acme"], "file", day(2))
    ledger.read_customer_file(clerk, south, "file", day(3))
    refused(
        ledger,
        lambda: ledger.read_customer_file(co.by("newbie"), co["Acme"], "file", day(4)),
        stored=1,
    )
    share = ledger.request_data_share(
        INSURER, CAMPAIGN, ShareScope.AREA, ["south"], day(5), day(40), day(5), clerk
    ).id
    ledger.approve_data_share(share, "south campaign", day(6), co.by("boss"))
    exported = ledger.export_customer_data([south], INSURER, CAMPAIGN, day(8), clerk).id
    attempt = refused(ledger, exporting(co, recipient="Rival Co", at=9), stored=2)
    ledger.record_violation(co["senior"], Severity.MINOR, "tried to export", day(10), co.by("boss"))
    ledger.record_violation(co["newbie"], Severity.SERIOUS, "browsed files", day(11), co.by("boss"))
    return {
        "south": str(south),
        "clerk": clerk,
        "share": str(share),
        "exported": str(exported),
        "attempt": attempt.params["attempt_id"],
    }


def test_a_refused_read_is_recorded_once_per_reader_customer_and_hour(
    co: Company, models: ReadModels
) -> None:
    ledger, acme, brill, newbie = co.ledger, co["Acme"], co["Brill"], co.by("newbie")
    hour = day(2).replace(minute=0)
    tries = [
        (acme, hour, 1),  # (customer, when, events it records)
        (acme, hour + timedelta(minutes=1), 0),
        (acme, hour + timedelta(minutes=59), 0),
        (brill, hour + timedelta(minutes=30), 1),  # another customer: its own record
        (acme, hour + timedelta(hours=1), 1),  # the next hour: recorded again
    ]
    for customer, at, stored in tries:

        def read(c: UUID = customer, t: datetime = at) -> Receipt:
            return ledger.read_customer_file(newbie, c, "file", t)

        assert refused(ledger, read, stored=stored).code == "file_access_denied"
    for minute in (0, 1):  # allowed reads are each recorded
        before = ledger.event_count()
        ledger.read_customer_file(co.by("senior"), acme, "file", hour + timedelta(minutes=minute))
        assert ledger.event_count() == before + 1
    models.catch_up()
    with models.read() as tx:
        audit = privacy.access_audit(tx, staff_id=newbie)
    recorded = {
        (r["customer_id"], datetime.fromisoformat(r["occurred_at"]).hour)
        for r in audit["refused_reads"]
    }
    assert len(audit["refused_reads"]) == 3
    assert recorded == {(str(acme), hour.hour), (str(brill), hour.hour), (str(acme), hour.hour + 1)}


def test_the_access_audit_shows_reads_refusals_exports_and_shares_and_a_rebuild_agrees(
    co: Company, models: ReadModels
) -> None:
    ids = audit_history(co)
    models.catch_up()
    acme, senior, newbie = str(co["Acme"]), co.by("senior"), co.by("newbie")
    with models.read() as tx:
        everything = privacy.access_audit(tx)
        assert [(r["reader"], r["customer_id"]) for r in everything["reads"]] == [
            (ids["clerk"], ids["south"]),
            (senior, acme),
        ]
        assert everything["reads"][1]["reader_name"] == "senior"
        refusal = everything["refused_reads"]
        assert [(r["reader"], r["customer_id"], r["reason"]) for r in refusal] == [
            (newbie, acme, "file_access_denied")
        ]
        assert [
            (x["export_id"], x["share_id"], x["customer_ids"]) for x in everything["exports"]
        ] == [(ids["exported"], ids["share"], [ids["south"]])]
        assert [(x["export_id"], x["code"], x["actor"]) for x in everything["refused_exports"]] == [
            (ids["attempt"], "data_export_without_share", senior)
        ]
        [share] = everything["shares"]
        assert (share["share_id"], share["approved_by"], share["scope_values"], share["uses"]) == (
            ids["share"],
            co.by("boss"),
            ["south"],
            1,
        )
        by_customer = privacy.access_audit(tx, customer_id=ids["south"])
        assert [len(by_customer[s]) for s in privacy.SECTIONS] == [1, 0, 1, 0, 1]
        by_acme = privacy.access_audit(tx, customer_id=acme)
        assert [len(by_acme[s]) for s in privacy.SECTIONS] == [1, 1, 0, 1, 0]
        by_newbie = privacy.access_audit(tx, staff_id=newbie)
        assert [len(by_newbie[s]) for s in privacy.SECTIONS] == [0, 1, 0, 0, 0]
        by_clerk = privacy.access_audit(tx, staff_id=ids["clerk"])
        assert [len(by_clerk[s]) for s in privacy.SECTIONS] == [1, 0, 1, 0, 1]
        later = privacy.access_audit(tx, start=day(4), end=day(9))
        assert [len(later[s]) for s in privacy.SECTIONS] == [0, 1, 1, 0, 1]
        ladder = privacy.violations(tx)
        assert [(v["staff_id"], v["severity"]) for v in ladder] == [
            (newbie, "serious"),
            (senior, "minor"),
        ]
        assert ladder[0]["investigation"] == "open" and ladder[1]["stop_ordered_at"] is not None
        assert privacy.violations(tx, severity="minor", staff_id=senior) == ladder[1:]
        before = (everything, ladder)
    models.rebuild()
    with models.read() as tx:
        assert (privacy.access_audit(tx), privacy.violations(tx)) == before


def test_the_demo_story_adds_a_share_an_export_a_refused_export_and_a_minor_violation(
    co: Company, models: ReadModels
) -> None:
    story = add_privacy_story(co.ledger, co["boss"], co["senior"], day(20))
    assert story.refusal.code == "data_export_without_share"
    models.catch_up()
    with models.read() as tx:
        audit = privacy.access_audit(tx, staff_id=co.by("senior"))
        assert [len(audit[s]) for s in privacy.SECTIONS] == [0, 0, 1, 1, 1]
        assert audit["exports"][0]["share_id"] == str(story.share_id)
        [violation] = privacy.violations(tx)
    attempt = audit["refused_exports"][0]["export_id"]
    assert (violation["severity"], violation["export_id"]) == ("minor", attempt)
    assert violation["warned_at"] is not None and violation["stop_ordered_at"] is not None
