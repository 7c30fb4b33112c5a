"""Replaying the stored decisions through the allocator reproduces every one, bit for bit."""

from __future__ import annotations

from ledger.application import OwnershipLedger
from ledger.customer import Customer
from ledger.demo import build_demo_company
from ledger.roster import LeadRoster
from ledger.rules.distribution import Candidate, choose
from projections.summary import replay


def test_every_lead_allocation_replays_to_the_same_decision(ledger: OwnershipLedger) -> None:
    build_demo_company(ledger, seed=21, customers=120)
    decisions = [e for e in replay(ledger) if isinstance(e, LeadRoster.LeadAllocated)]
    placements = {
        str(e.originator_id): e.holder
        for e in replay(ledger)
        if isinstance(e, Customer.Assigned) and e.rule == "lead_allocator"
    }
    assert len(decisions) >= 60
    credits: dict[str, int] = {}
    for decision in decisions:
        assert decision.credits_before == credits
        pool = [Candidate(c["staff_id"], c["weight"], c["load"]) for c in decision.pool]
        again = choose(pool, decision.credits_before)
        assert again.chosen == decision.chosen
        assert again.credits_after == decision.credits_after
        credits = again.credits_after
    lead_holders = {d.customer_id: d.chosen for d in decisions}
    for customer_id, holder in placements.items():
        assert customer_id in lead_holders
        assert holder in {d.chosen for d in decisions if d.customer_id == customer_id}
