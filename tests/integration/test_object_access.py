"""One object-level check on every write on a customer's file, and the same rule behind every
list (issue 22, findings 3 and 4), on both stores."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from ledger.application import OwnershipLedger
from ledger.commands.fileaccess import file_facts, reader_of
from ledger.enums import CallbackOutcome, ContactChannel, ContactKind, KeyRole, Role, TeamRole, Tier
from ledger.errors import AccessDenied
from ledger.rules import access
from projections.readmodels import ReadModels
from projections.scope import readable, viewer
from tests.clock import day
from tests.company import Company, standard_company


@pytest.fixture
def co(ledger: OwnershipLedger) -> Company:
    company = standard_company(ledger)
    company.hire("caller", Role.CALLBACK, team="phone", area="north")
    company.hire("caller2", Role.CALLBACK, team="phone", area="north")
    company.hire("south_boss", Role.MANAGER, team="south")
    company.hire("service", Role.SERVICE, team="care")
    return company


def refused(ledger: OwnershipLedger, command: Callable[[], object]) -> str:
    before = ledger.event_count()
    with pytest.raises(AccessDenied) as denied:
        command()
    assert ledger.event_count() == before  # nothing of the refused write is stored
    return denied.value.code


def test_a_rep_cannot_write_on_another_reps_customer_nor_in_another_persons_name(
    ledger: OwnershipLedger, co: Company
) -> None:
    theirs = co.customer("Rival's Account", Tier.C)
    ledger.assign_customer(theirs, co["senior"], day(1), co.by("alloc"))
    mid, senior = co.by("mid"), co["senior"]
    at, phone = day(2), ContactChannel.COMPANY_PHONE
    writes: dict[str, Callable[[], object]] = {
        "contact naming the holder": lambda: ledger.record_contact(
            theirs, senior, ContactKind.CALL, phone, at, mid
        ),
        "contact in their own name": lambda: ledger.record_contact(
            theirs, co["mid"], ContactKind.CALL, phone, at, mid
        ),
        "contract": lambda: ledger.sign_contract(theirs, "CT-1", Decimal(1000), at, mid),
        "key contact": lambda: ledger.record_key_contact(
            theirs, "Zhou", "buyer", KeyRole.DECISION_MAKER, at, mid
        ),
        "complaint": lambda: ledger.log_complaint(theirs, "slow replies", at, mid),
        "trip": lambda: ledger.record_trip(theirs, senior, at, mid),
        "team change": lambda: ledger.add_team_member(theirs, co["mid"], TeamRole.SERVICE, at, mid),
    }
    for what, write in writes.items():
        assert refused(ledger, write) == "file_write_denied", what
    own = ledger.record_contact(theirs, senior, ContactKind.CALL, phone, at, co.by("senior"))
    assert own.ref is not None
    # serving on the customer's team opens the file, in one's own name only
    ledger.add_team_member(theirs, co["mid"], TeamRole.SERVICE, at, co.by("alloc"))
    assert refused(
        ledger, lambda: ledger.record_contact(theirs, senior, ContactKind.CALL, phone, at, mid)
    ) == ("acting_for_another")
    ledger.record_contact(theirs, co["mid"], ContactKind.CALL, phone, at, mid)
    # the holder's manager may record for the team; a complaint reaches anyone but a rival rep
    ledger.record_contact(theirs, senior, ContactKind.VISIT, phone, at, co.by("boss"))
    ledger.log_complaint(theirs, "late delivery", at, co.by("service"))


def test_a_callback_agent_calls_in_their_own_name(ledger: OwnershipLedger, co: Company) -> None:
    cid = co.customer("Acme", Tier.C)
    ledger.assign_customer(cid, co["senior"], day(1), co.by("alloc"))
    phone = ContactChannel.COMPANY_PHONE
    contact = ledger.record_contact(
        cid, co["senior"], ContactKind.VISIT, phone, day(2), co.by("senior")
    ).ref
    assert contact is not None
    confirmed = CallbackOutcome.CONFIRMED
    assert (
        refused(
            ledger,
            lambda: ledger.verify_contact(
                cid, contact, co["caller2"], confirmed, day(3), co.by("caller"), 5
            ),
        )
        == "acting_for_another"
    )
    ledger.verify_contact(cid, contact, co["caller"], confirmed, day(3), co.by("caller"), 5)


def test_every_lists_scope_is_the_file_rule_asked_of_each_customer(
    ledger: OwnershipLedger, co: Company, models: ReadModels
) -> None:
    """The read models' scope and the domain's rule agree for every reader and customer."""
    held = {name: co.customer(name, Tier.C) for name in ("N1", "N2", "S1", "Pool")}
    for name, rep in (("N1", "senior"), ("N2", "mid"), ("S1", "senior_s")):
        ledger.assign_customer(held[name], co[rep], day(1), co.by("alloc"))
    ledger.add_team_member(held["S1"], co["service"], TeamRole.SERVICE, day(1), co.by("alloc"))
    ledger.add_team_member(held["N1"], co["newbie"], TeamRole.SERVICE, day(1), co.by("alloc"))
    models.catch_up()
    checked = 0
    with models.read() as tx:
        for name in co.ids:
            who = viewer(tx, co.by(name)) if name not in held else None
            if who is None:
                continue
            scope = readable(tx, who)
            staff = ledger.staff(co[name])
            for cid in held.values():
                try:
                    access.check_can_read(
                        reader_of(staff), file_facts(ledger, ledger.customer(cid))
                    )
                    allowed = True
                except AccessDenied:
                    allowed = False
                assert (scope is None or str(cid) in scope) is allowed, (name, cid)
                checked += 1
    assert checked >= 40
