"""Each allocation rule's allowed, refused and exception paths, on both stores."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ledger.application import OwnershipLedger
from ledger.customer import Customer
from ledger.enums import Role, Seniority, Source, StaffStatus, TeamRole, Tier, TransferReason
from ledger.errors import LedgerError
from tests.clock import day
from tests.company import Company, standard_company


@pytest.fixture
def co(ledger: OwnershipLedger) -> Company:
    return standard_company(ledger)


def refused(ledger: OwnershipLedger, command: Callable[[], object]) -> str:
    """Run a command that must be refused; prove nothing was stored; return its code."""
    before = ledger.event_count()
    with pytest.raises(LedgerError) as refusal:
        command()
    assert ledger.event_count() == before
    assert refusal.value.message
    return refusal.value.code


def last_event(ledger: OwnershipLedger, customer: object) -> object:
    return list(ledger.events.get(customer))[-1]  # type: ignore[arg-type]


def test_tier_seniority_is_refused_without_and_allowed_with_a_managers_exception(
    co: Company,
) -> None:
    ledger = co.ledger
    gem = co.customer("gem", Tier.A)
    assert (
        refused(ledger, lambda: ledger.assign_customer(gem, co["newbie"], day(1), co.by("alloc")))
        == "tier_seniority_mismatch"
    )
    reason = "training under a senior's eye"
    asked = ledger.request_exception(gem, co["newbie"], reason, day(1), co.by("alloc")).ref
    assert asked is not None
    assert (
        refused(
            ledger,
            lambda: ledger.assign_customer(
                gem, co["newbie"], day(1), co.by("alloc"), exception=asked
            ),
        )
        == "exception_not_approved"
    )
    assert (
        refused(ledger, lambda: ledger.approve_exception(gem, asked, day(1), co.by("alloc")))
        == "exception_not_authorised"
    )
    ledger.approve_exception(gem, asked, day(1), co.by("boss"))
    ledger.assign_customer(gem, co["newbie"], day(1), co.by("alloc"), exception=asked)
    assigned = last_event(ledger, gem)
    assert isinstance(assigned, Customer.Assigned)
    assert assigned.exceptions == [
        {
            "rule": "tier_seniority",
            "code": "tier_seniority_mismatch",
            "by": co.by("boss"),
            "reason": "training under a senior's eye",
            "grant_id": asked,
        }
    ]
    assert ledger.customer(gem).exception_grants == {}  # it served this one move
    plain = co.customer("plain", Tier.A)
    ledger.assign_customer(plain, co["senior"], day(1), co.by("alloc"))
    assert ledger.customer(plain).holder == co.by("senior")


def test_tier_seniority_in_refuse_mode_ignores_exceptions(co: Company) -> None:
    ledger = co.ledger
    ledger.adopt_policy(
        {"modes": {"tier_seniority": "refuse"}}, day(0), "strict", day(0), co.by("boss")
    )
    gem = co.customer("gem", Tier.A)
    grant = co.exception(gem, "newbie", "please")
    assert (
        refused(
            ledger,
            lambda: ledger.assign_customer(
                gem, co["newbie"], day(1), co.by("alloc"), exception=grant
            ),
        )
        == "tier_seniority_mismatch"
    )


def test_only_the_allocation_team_or_a_manager_allocates(co: Company) -> None:
    ledger = co.ledger
    lead = co.customer("lead", Tier.C)
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["mid"], day(1), co.by("mid")))
        == "self_assignment"
    )
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["mid"], day(1), co.by("senior")))
        == "not_allocation_team"
    )
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["mid"], day(1), "system"))
        == "not_allocation_team"
    )
    ledger.assign_customer(lead, co["mid"], day(1), co.by("boss"))
    assert (
        refused(
            ledger,
            lambda: ledger.release_customer(lead, TransferReason.NEGLECT, day(2), co.by("mid")),
        )
        == "not_allocation_team"
    )
    ledger.release_customer(lead, TransferReason.REBALANCE, day(2), co.by("alloc"))
    assert ledger.customer(lead).holder is None


def test_per_rep_caps_are_refused_and_may_be_excepted_only_in_exception_mode(co: Company) -> None:
    ledger = co.ledger
    ledger.adopt_policy(
        {"max_customers_per_rep": 2, "max_a_per_rep": 1}, day(0), "small", day(0), co.by("boss")
    )
    a1, a2, c1, c2 = (
        co.customer(n, t)
        for n, t in (("a1", Tier.A), ("a2", Tier.A), ("c1", Tier.C), ("c2", Tier.C))
    )
    ledger.assign_customer(a1, co["senior"], day(1), co.by("alloc"))
    assert (
        refused(ledger, lambda: ledger.assign_customer(a2, co["senior"], day(1), co.by("alloc")))
        == "rep_a_tier_cap"
    )
    ledger.assign_customer(c1, co["senior"], day(1), co.by("alloc"))
    assert (
        refused(ledger, lambda: ledger.assign_customer(c2, co["senior"], day(1), co.by("alloc")))
        == "rep_customer_cap"
    )
    grant = co.exception(c2, "senior", "short-term cover")
    assert (
        refused(
            ledger,
            lambda: ledger.assign_customer(
                c2, co["senior"], day(1), co.by("alloc"), exception=grant
            ),
        )
        == "rep_customer_cap"
    )
    ledger.adopt_policy(
        {"max_customers_per_rep": 2, "max_a_per_rep": 1, "modes": {"dispersion": "exception"}},
        day(2),
        "flexible",
        day(2),
        co.by("boss"),
    )
    ledger.assign_customer(c2, co["senior"], day(3), co.by("alloc"), exception=grant)
    assert len(ledger.staff(co["senior"]).book) == 3


def test_a_team_may_not_gather_more_than_its_share_of_a_tier(co: Company) -> None:
    ledger = co.ledger
    ledger.adopt_policy(
        {"team_share_min_base": 4, "max_team_a_share": 0.5}, day(0), "", day(0), co.by("boss")
    )
    gems = [co.customer(f"gem{i}", Tier.A) for i in range(4)]
    ledger.assign_customer(gems[0], co["senior"], day(1), co.by("alloc"))
    ledger.assign_customer(gems[1], co["senior"], day(1), co.by("alloc"))
    assert (
        refused(
            ledger, lambda: ledger.assign_customer(gems[2], co["senior"], day(1), co.by("alloc"))
        )
        == "team_a_share_cap"
    )
    ledger.assign_customer(gems[2], co["senior_s"], day(1), co.by("alloc"))
    assert ledger.customer(gems[2]).holder == co.by("senior_s")


def test_company_leads_are_placed_by_the_allocator_or_a_managers_override(co: Company) -> None:
    ledger = co.ledger
    lead = co.customer("hotline lead", source=Source.COMPANY_INBOUND)
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["senior"], day(1), co.by("senior")))
        == "company_lead_allocator_only"
    )
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["senior"], day(1), co.by("alloc")))
        == "company_lead_allocator_only"
    )
    assert (
        refused(
            ledger,
            lambda: ledger.assign_customer(
                lead, co["senior"], day(1), co.by("alloc"), override_reason="friend"
            ),
        )
        == "override_not_authorised"
    )
    assert (
        refused(
            ledger,
            lambda: ledger.assign_customer(
                lead, co["senior"], day(1), co.by("boss"), override_reason=" "
            ),
        )
        == "override_reason_missing"
    )
    ledger.assign_customer(
        lead, co["senior"], day(1), co.by("boss"), override_reason="the customer's language"
    )
    assigned = last_event(ledger, lead)
    assert isinstance(assigned, Customer.Assigned)
    assert assigned.override and assigned.rule == "manager_override"

    second = co.customer("second lead", source=Source.COMPANY_INBOUND)
    ledger.allocate_lead(second, day(2))
    placed = last_event(ledger, second)
    assert (
        isinstance(placed, Customer.Assigned)
        and placed.rule == "lead_allocator"
        and not placed.override
    )


def test_the_allocator_skips_reps_who_are_leaving_or_do_not_match_the_tier(co: Company) -> None:
    ledger = co.ledger
    ledger.announce_departure(co["senior_s"], day(60), "resigned", day(1), co.by("boss"))
    for n in range(4):
        lead = co.customer(f"gem{n}", Tier.A, Source.COMPANY_INBOUND)
        ledger.allocate_lead(lead, day(2))
        assert ledger.customer(lead).holder == co.by("senior")
    ledger.adopt_policy({"max_a_per_rep": 4}, day(3), "", day(3), co.by("boss"))
    last = co.customer("gem-last", Tier.A, Source.COMPANY_INBOUND)
    assert refused(ledger, lambda: ledger.allocate_lead(last, day(4))) == "no_eligible_rep"


def test_an_a_tier_transfer_needs_a_second_uninvolved_manager(co: Company) -> None:
    ledger = co.ledger
    gem = co.customer("gem", Tier.A)
    ledger.assign_customer(gem, co["senior"], day(1), co.by("alloc"))
    move = TransferReason.REBALANCE
    assert (
        refused(
            ledger,
            lambda: ledger.reassign_customer(gem, co["senior_s"], move, day(2), co.by("boss")),
        )
        == "a_tier_transfer_needs_approval"
    )
    request = ledger.request_transfer(
        gem, co["senior_s"], move, day(2), co.by("boss"), note="even out"
    )
    assert request.ref is not None
    assert (
        refused(
            ledger, lambda: ledger.approve_transfer(gem, request.ref or "", day(3), co.by("boss"))
        )
        == "approver_conflict"
    )
    assert (
        refused(
            ledger, lambda: ledger.approve_transfer(gem, request.ref or "", day(3), co.by("alloc"))
        )
        == "approver_not_manager"
    )
    assert (
        refused(ledger, lambda: ledger.approve_transfer(gem, "nope", day(3), co.by("boss2")))
        == "unknown_transfer_request"
    )
    ledger.approve_transfer(gem, request.ref, day(3), co.by("boss2"))
    moved = last_event(ledger, gem)
    assert isinstance(moved, Customer.Reassigned)
    assert (moved.approver, moved.request_id, moved.rule) == (
        co.by("boss2"),
        request.ref,
        "a_tier_second_approval",
    )
    assert ledger.customer(gem).holder == co.by("senior_s")

    again = ledger.request_transfer(gem, co["senior"], move, day(400), co.by("alloc"))
    assert again.ref is not None
    ledger.reject_transfer(gem, again.ref, "no reason to move", day(401), co.by("boss"))
    assert (
        ledger.customer(gem).holder == co.by("senior_s")
        and ledger.customer(gem).pending_transfer is None
    )


def test_departure_needs_a_plan_for_every_holding_and_executes_it_atomically(co: Company) -> None:
    ledger = co.ledger
    gem, small, tiny = (
        co.customer("gem", Tier.A),
        co.customer("small", Tier.C),
        co.customer("tiny", Tier.C),
    )
    for cid in (gem, small, tiny):
        ledger.assign_customer(cid, co["senior"], day(1), co.by("alloc"))
    ledger.announce_departure(co["senior"], day(30), "resigned", day(2), co.by("boss"))
    assert ledger.staff(co["senior"]).status_at(day(29)) is StaffStatus.LEAVING
    assert (
        refused(
            ledger,
            lambda: ledger.record_departure(co["senior"], "resigned", day(30), co.by("boss")),
        )
        == "departure_plan_incomplete"
    )
    bad_plan = {gem: co["newbie"], small: co["mid"], tiny: None}
    assert (
        refused(
            ledger,
            lambda: ledger.record_departure(
                co["senior"], "resigned", day(30), co.by("boss"), plan=bad_plan
            ),
        )
        == "tier_seniority_mismatch"
    )
    plan = {gem: co["senior_s"], small: co["mid"], tiny: None}
    ledger.record_departure(co["senior"], "resigned", day(30), co.by("boss"), plan=plan)
    assert [ledger.customer(c).holder for c in (gem, small, tiny)] == [
        co.by("senior_s"),
        co.by("mid"),
        None,
    ]
    assert ledger.staff(co["senior"]).book == {}
    lead = co.customer("later", Tier.C)
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["senior"], day(31), co.by("alloc")))
        == "staff_departed"
    )


def test_someone_serving_on_customer_teams_leaves_only_by_a_plan_that_ends_those_places(
    co: Company,
) -> None:
    ledger = co.ledger
    engineer = co.hire("engineer", Role.SERVICE)
    acme, brill = co.customer("acme", Tier.B), co.customer("brill", Tier.C)
    for cid in (acme, brill):
        ledger.assign_customer(cid, co["mid"], day(1), co.by("alloc"))
        ledger.add_team_member(cid, co["engineer"], TeamRole.SERVICE, day(2), co.by("boss"))
    assert sorted(ledger.staff(engineer).serving) == sorted([str(acme), str(brill)])
    ledger.remove_team_member(brill, co["engineer"], "rota change", day(3), co.by("boss"))
    assert sorted(ledger.staff(engineer).serving) == [str(acme)]
    leaving = lambda: ledger.record_departure(co["engineer"], "resigned", day(9), co.by("boss"))  # noqa: E731
    assert refused(ledger, leaving) == "departure_plan_incomplete"
    ledger.record_departure(co["engineer"], "resigned", day(9), co.by("boss"), plan={})
    assert ledger.staff(engineer).serving == {} and ledger.staff(engineer).is_departed
    assert str(engineer) not in ledger.customer(acme).team
    removed = [e for e in ledger.events.get(acme) if isinstance(e, Customer.TeamMemberRemoved)]
    assert [(e.staff_id, e.reason) for e in removed] == [(engineer, "departure")]


def test_after_the_effective_date_a_leaving_person_can_no_longer_act(co: Company) -> None:
    ledger = co.ledger
    co.hire("leaver", Role.MANAGER)
    ledger.announce_departure(co["leaver"], day(10), "resigned", day(1), co.by("boss"))
    lead = co.customer("lead", Tier.C)
    assert (
        refused(ledger, lambda: ledger.assign_customer(lead, co["mid"], day(11), co.by("leaver")))
        == "staff_departed"
    )
    ledger.assign_customer(lead, co["mid"], day(9), co.by("leaver"))


def test_rotation_moves_a_due_holding_to_another_area_and_blocks_a_quick_return(
    co: Company,
) -> None:
    ledger = co.ledger
    gem = co.customer("gem", Tier.A)
    ledger.assign_customer(gem, co["senior"], day(0), co.by("alloc"))
    assert refused(ledger, lambda: ledger.rotate_customer(gem, day(700))) == "rotation_not_due"
    assert (
        refused(ledger, lambda: ledger.rotate_customer(gem, day(731), to_staff_id=co["newbie"]))
        == "tier_seniority_mismatch"
    )
    co.hire("senior_n2", Role.SALES_REP, Seniority.SENIOR, "north")
    assert (
        refused(ledger, lambda: ledger.rotate_customer(gem, day(731), to_staff_id=co["senior_n2"]))
        == "rotation_same_area"
    )
    ledger.rotate_customer(gem, day(731))
    rotated = last_event(ledger, gem)
    assert isinstance(rotated, Customer.Reassigned)
    assert rotated.reason_code is TransferReason.ROTATION and rotated.to_holder == co.by("senior_s")
    request = ledger.request_transfer(
        gem, co["senior"], TransferReason.REBALANCE, day(800), co.by("alloc")
    )
    assert (
        refused(
            ledger, lambda: ledger.approve_transfer(gem, request.ref or "", day(800), co.by("boss"))
        )
        == "rotation_cooldown"
    )


def test_the_neglect_sweep_releases_only_neglected_customers_and_protects_them(co: Company) -> None:
    ledger = co.ledger
    quiet, busy = co.customer("quiet", Tier.C), co.customer("busy", Tier.C)
    for cid in (quiet, busy):
        ledger.assign_customer(cid, co["mid"], day(0), co.by("alloc"))
    from ledger.enums import ContactChannel, ContactKind

    ledger.record_contact(
        busy, co["mid"], ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(60), co.by("mid")
    )
    released = ledger.sweep_neglected([quiet, busy], day(95))
    assert [r.id for r in released] == [quiet]
    assert ledger.customer(quiet).holder is None and ledger.customer(busy).holder == co.by("mid")
    swept = last_event(ledger, quiet)
    assert isinstance(swept, Customer.Released) and swept.rule == "neglect"
    assert swept.reason_code is TransferReason.NEGLECT
    assert (
        refused(ledger, lambda: ledger.assign_customer(quiet, co["mid"], day(100), co.by("alloc")))
        == "neglect_protection"
    )
    ledger.assign_customer(quiet, co["mid"], day(130), co.by("alloc"))
