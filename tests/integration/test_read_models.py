"""Queries and reports on hand-built histories with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Source, TeamRole, Tier, TransferReason
from projections import queries
from projections.readmodels import ReadModelBehind, ReadModels
from projections.reports import REPORTS, Period
from projections.schema import TABLES
from tests.clock import day
from tests.company import Company, standard_company


@pytest.fixture
def company(ledger: OwnershipLedger) -> Company:
    return standard_company(ledger)


def dump(models: ReadModels) -> dict[str, list[tuple[str, ...]]]:
    """Every read-model row, in a canonical order, to compare two builds."""
    with models.read() as tx:
        return {
            t: sorted(tuple(map(str, r.values())) for r in tx.all(f"SELECT * FROM {t}"))
            for t in TABLES
        }


def test_a_released_then_reassigned_customer_has_the_right_holder_at_every_instant(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    cid = company.customer("Acme", Tier.B)
    alloc = company.by("alloc")
    ledger.assign_customer(cid, company["senior"], day(1), alloc)
    ledger.release_customer(cid, TransferReason.REBALANCE, day(10), alloc)
    receipt = ledger.assign_customer(cid, company["mid"], day(20), alloc)
    models.wait_for(receipt.last_position)
    with models.read() as tx:
        now = queries.holder_now(tx, str(cid))
        assert (now.holder, now.held_since) == (company.by("mid"), day(20))
        held = {n: queries.holder_as_of(tx, str(cid), day(n)) for n in (0, 5, 15, 25)}
        assert held[0] is not None and held[0].holder is None
        assert held[5] is not None and (held[5].holder, held[5].valid_to) == (company.by("senior"), day(10))  # fmt: skip
        assert held[15] is not None and held[15].holder is None
        assert held[25] is not None and (held[25].holder, held[25].valid_to) == (company.by("mid"), None)  # fmt: skip
        assert queries.book_as_of(tx, company.by("senior"), day(5)) == [(str(cid), day(1))]
        assert queries.book_as_of(tx, company.by("senior"), day(15)) == []
        assert list(queries.book(tx, company.by("mid"))) == ["B"]
        kinds = [row["kind"] for row in queries.chain_of_custody(tx, str(cid))]
        assert kinds == ["graded", "assigned", "released", "assigned"]
        moved = REPORTS["transfers"](tx, Period(at=day(30), start=day(0)))["transfers"]
        assert [(m["kind"], m["from_holder"], m["reason"]) for m in moved] == [
            ("released", company.by("senior"), "rebalance")
        ]


def test_a_backdated_reassignment_changes_the_past_but_not_what_was_known_before_it(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    cid = company.customer("Backdated", Tier.C)
    alloc = company.by("alloc")
    ledger.assign_customer(cid, company["senior"], day(1), alloc)
    ledger.reassign_customer(cid, company["senior_s"], TransferReason.REBALANCE, day(30), alloc)
    models.catch_up()
    before_backdating = datetime.now(UTC)
    receipt = ledger.reassign_customer(
        cid, company["mid"], TransferReason.REBALANCE, day(10), alloc
    )
    models.wait_for(receipt.last_position)

    def holder(n: int, known_at: datetime | None = None) -> str | None:
        with models.read() as tx:
            held = queries.holder_as_of(tx, str(cid), day(n), known_at)
        return held.holder if held else None

    assert holder(20) == company.by("mid")
    assert holder(20, before_backdating) == company.by("senior")
    assert holder(35) == company.by("mid")  # the latest recorded fact decides from day 10 on
    assert holder(35, before_backdating) == company.by("senior_s")
    assert holder(5) == holder(5, before_backdating) == company.by("senior")
    with models.read() as tx:
        assert queries.holder_now(tx, str(cid)).holder == str(ledger.customer(cid).holder)


def test_a_single_threaded_customer_on_private_channels_tops_the_control_index(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    lone, shared = company.customer("Lone", Tier.C), company.customer("Shared", Tier.C)
    alloc = company.by("alloc")
    for cid in (lone, shared):
        ledger.assign_customer(cid, company["senior"], day(1), alloc)
    ledger.add_team_member(
        shared, company["mid"], TeamRole.SERVICE, day(1), alloc
    )  # a second thread
    for n in range(6):
        ledger.record_contact(lone, company["senior"], ContactKind.CALL, ContactChannel.PRIVATE_PHONE, day(2 + n), company.by("senior"))  # fmt: skip
        who = company["senior"] if n % 2 else company["mid"]
        ledger.record_contact(shared, who, ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(2 + n), str(who))  # fmt: skip
    models.catch_up()
    with models.read() as tx:
        rows = REPORTS["control"](tx, Period(at=day(10)))["at_risk"]
        discipline = REPORTS["discipline"](tx, Period(at=day(10)))
    assert [r["customer"] for r in rows] == ["Lone", "Shared"]
    top = rows[0]
    assert (top["contacts"], top["top_share"], top["private_share"], top["distinct_staff"]) == (6, 1.0, 1.0, 1)  # fmt: skip
    assert "100% of contacts by one person" in top["reasons"]
    assert top["score"] > rows[1]["score"]
    assert len(discipline["non_company_channels"]) == 6
    assert discipline["asked_for_named_person"] == []


def test_company_leads_are_counted_per_eligible_rep_against_the_allocator_weights(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    for n in range(8):
        ledger.register_lead(f"Lead {n}", "hotline-1", day(1) + timedelta(hours=n))
    models.catch_up()
    with models.read() as tx:
        fairness = REPORTS["fairness"](tx, Period(at=day(2), start=day(0)))
        concentration = REPORTS["concentration"](tx, Period(at=day(2), top=1))
    summary = fairness["summary"][0]
    assert summary["leads"] == summary["allocator_decisions"] == 8
    assert summary["eligible_reps"] == 4 and summary["df"] == 3
    assert sum(r["expected"] for r in fairness["per_rep"]) == pytest.approx(8)
    assert summary["max"] - summary["min"] == summary["max_minus_min"] <= 1
    assert summary["blue_sun_pattern"] is False and fairness["overrides"] == []
    assert sum(r["total"] for r in concentration["per_rep"]) == 8


def test_due_lists_show_overdue_complaints_and_old_unverified_contacts(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    cid = company.customer("Moaner", Tier.C)
    ledger.assign_customer(cid, company["senior"], day(1), company.by("alloc"))
    ledger.log_complaint(cid, "late delivery", day(2), company.by("senior"))
    ledger.record_contact(cid, company["senior"], ContactKind.VISIT, ContactChannel.IN_PERSON, day(2), company.by("senior"))  # fmt: skip
    models.catch_up()
    with models.read() as tx:
        early = REPORTS["due"](tx, Period(at=day(2) + timedelta(hours=1), days=30))
        late = REPORTS["due"](tx, Period(at=day(40), days=30))
        complaints = REPORTS["complaints"](tx, Period(at=day(40), start=day(0)))
    assert early["complaints_overdue"] == [] and early["unverified_contacts"] == []
    assert [c["summary"] for c in late["complaints_overdue"]] == ["late delivery"]
    assert len(late["unverified_contacts"]) == 1
    assert [c["customer"] for c in late["neglected"]] == ["Moaner"]
    assert complaints["complaints_by_state"] == [{"state": "logged", "complaints": 1, "past_reply_limit": 1}]  # fmt: skip


def test_a_rebuild_gives_the_same_rows_as_the_incremental_read_models(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    cid = company.customer("Rebuilt", Tier.B)
    alloc = company.by("alloc")
    ledger.assign_customer(cid, company["senior"], day(5), alloc)
    models.catch_up()
    ledger.reassign_customer(cid, company["mid"], TransferReason.REBALANCE, day(3), alloc)
    ledger.register_customer("Pool", Source.IMPORTED, day(4))
    models.catch_up()
    incremental = dump(models)
    stats = models.rebuild()
    assert stats.events > 0 and dump(models) == incremental
    assert models.position() == ledger.event_count()


def test_reading_your_writes_waits_for_the_position_and_times_out_clearly(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    models.start(interval=5.0)
    try:
        receipt = ledger.register_customer("Fresh", Source.IMPORTED, day(1))
        models.wait_for(receipt.last_position, timeout=10)
        with models.read() as tx:
            assert queries.holder_now(tx, str(receipt.id)).name == "Fresh"
        with pytest.raises(ReadModelBehind) as refused:
            models.wait_for(receipt.last_position + 1000, timeout=0.2)
        assert refused.value.code == "read_models_behind"
    finally:
        models.stop()


def test_the_customer_file_gathers_tier_history_contacts_callbacks_contracts_and_team(
    ledger: OwnershipLedger, company: Company, models: ReadModels
) -> None:
    from decimal import Decimal

    from ledger.enums import CallbackOutcome, Role

    company.hire("caller", Role.CALLBACK)
    company.hire("svc", Role.SERVICE)
    cid = company.customer("Filed", Tier.C)
    ledger.grade_customer(cid, Tier.B, "grew", day(3), "system", {"profit": 9})
    ledger.assign_customer(cid, company["senior"], day(4), company.by("alloc"))
    contact = ledger.record_contact(cid, company["senior"], ContactKind.TRIP, ContactChannel.IN_PERSON, day(5), company.by("senior")).ref  # fmt: skip
    assert contact is not None
    ledger.claim_expense(cid, contact, Decimal("120.50"), day(6), company.by("senior"))
    ledger.verify_contact(cid, contact, company["caller"], CallbackOutcome.DISCREPANCY, day(7), company.by("caller"), satisfaction=2, note="no visit")  # fmt: skip
    ledger.sign_contract(cid, "K-1", Decimal("5000"), day(8), company.by("senior"))
    ledger.add_team_member(cid, company["svc"], TeamRole.SERVICE, day(9), company.by("boss"))
    models.catch_up()
    with models.read() as tx:
        file = queries.customer_file(tx, str(cid))
        quality = REPORTS["callbacks"](tx, Period(at=day(10)))["per_rep"]
        pending = REPORTS["discipline"](tx, Period(at=day(10)))["handoffs_pending"]
    assert [g["tier"] for g in file["tier_history"]] == ["C", "B"]
    assert [(c["outcome"], c["expense"]) for c in file["contacts"]] == [("discrepancy", "120.50")]
    assert [c["contract_ref"] for c in file["contracts"]] == ["K-1"]
    assert [m["role"] for m in file["team"]] == ["holder", "service"]
    assert quality[0]["discrepancies_after_reimbursement"] == 1 and quality[0]["satisfaction"] == 2
    assert [p["customer"] for p in pending] == ["Filed"]  # no technical staff yet
