"""Random command sequences never break the ledger's invariants (hypothesis, both stores)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ledger.application import OwnershipLedger
from ledger.customer import Customer
from ledger.enums import Role, Seniority, Source, StaffStatus, Tier, TransferReason
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from tests.clock import T0, day

SENIORITIES = [Seniority.SENIOR, Seniority.EXPERIENCED, Seniority.NEW]
CAP, A_CAP = 4, 2


def machine_for(make_ledger: Callable[[], OwnershipLedger]) -> type[RuleBasedStateMachine]:
    class Ownership(RuleBasedStateMachine):
        @initialize()
        def company(self) -> None:
            self.ledger = make_ledger()
            self.clock = 1
            self.boss = str(self.ledger.join_staff("boss", Role.MANAGER, None, "t0", "a0", T0).id)
            self.boss2 = str(self.ledger.join_staff("boss2", Role.MANAGER, None, "t0", "a0", T0).id)
            self.ledger.adopt_policy(
                {"max_customers_per_rep": CAP, "max_a_per_rep": A_CAP}, T0, "test", T0, self.boss
            )
            self.reps = [
                self.ledger.join_staff(
                    f"r{i}", Role.SALES_REP, SENIORITIES[i % 3], f"t{i % 2}", f"a{i % 2}", T0
                ).id
                for i in range(5)
            ]
            self.customers: list[UUID] = []

        def now(self) -> Any:
            self.clock += 1
            return day(self.clock)

        def attempt(self, command: Callable[[], object]) -> None:
            before = self.ledger.event_count()
            try:
                command()
            except LedgerError:
                assert self.ledger.event_count() == before

        @rule(inbound=st.booleans(), tier=st.sampled_from([Tier.A, Tier.B, Tier.C]))
        def register(self, inbound: bool, tier: Tier) -> None:
            source = Source.COMPANY_INBOUND if inbound else Source.REP_PROSPECTED
            cid = self.ledger.register_customer(f"c{len(self.customers)}", source, self.now()).id
            self.ledger.grade_customer(cid, tier, "graded", self.now(), self.boss, {"revenue": 1})
            self.customers.append(cid)

        @rule(c=st.integers(0, 30), r=st.integers(0, 4), excepted=st.booleans())
        def assign(self, c: int, r: int, excepted: bool) -> None:
            if self.customers:
                cid, rep = self.customers[c % len(self.customers)], self.reps[r]
                grant = None
                if excepted:  # asked and approved by the manager, in calls of their own
                    grant = self.ledger.request_exception(
                        cid, rep, "cover", self.now(), self.boss
                    ).ref
                    assert grant is not None
                    self.ledger.approve_exception(cid, grant, self.now(), self.boss)
                self.attempt(
                    lambda: self.ledger.assign_customer(
                        cid, rep, self.now(), self.boss, exception=grant
                    )
                )

        @rule(c=st.integers(0, 30))
        def allocate(self, c: int) -> None:
            if self.customers:
                cid = self.customers[c % len(self.customers)]
                self.attempt(lambda: self.ledger.allocate_lead(cid, self.now()))

        @rule(c=st.integers(0, 30), r=st.integers(0, 4))
        def transfer(self, c: int, r: int) -> None:
            if self.customers:
                cid, rep = self.customers[c % len(self.customers)], self.reps[r]
                self.attempt(
                    lambda: self.ledger.reassign_customer(
                        cid, rep, TransferReason.REBALANCE, self.now(), self.boss
                    )
                )

        @rule(c=st.integers(0, 30), r=st.integers(0, 4))
        def approved_transfer(self, c: int, r: int) -> None:
            if self.customers:
                cid, rep = self.customers[c % len(self.customers)], self.reps[r]

                def both() -> None:
                    ref = self.ledger.request_transfer(
                        cid, rep, TransferReason.REBALANCE, self.now(), self.boss
                    ).ref
                    assert ref is not None
                    self.attempt(
                        lambda: self.ledger.approve_transfer(cid, ref, self.now(), self.boss2)
                    )
                    self.attempt(
                        lambda: self.ledger.reject_transfer(cid, ref, "no", self.now(), self.boss2)
                    )

                self.attempt(both)

        @rule(c=st.integers(0, 30))
        def release(self, c: int) -> None:
            if self.customers:
                cid = self.customers[c % len(self.customers)]
                self.attempt(
                    lambda: self.ledger.release_customer(
                        cid, TransferReason.REBALANCE, self.now(), self.boss
                    )
                )

        @rule(r=st.integers(0, 4), to_pool=st.booleans())
        def depart(self, r: int, to_pool: bool) -> None:
            leaver = self.reps[r]
            held = self.ledger.staff(leaver).book
            others = [p for p in self.reps if p != leaver]
            plan = {
                UUID(c): (None if to_pool else others[i % len(others)]) for i, c in enumerate(held)
            }
            self.attempt(
                lambda: self.ledger.record_departure(
                    leaver, "left", self.now(), self.boss, plan=plan
                )
            )

        @invariant()
        def one_holder_and_caps_hold(self) -> None:
            if not hasattr(self, "ledger"):
                return
            books = {str(r): self.ledger.staff(r) for r in self.reps}
            for staff in books.values():
                assert len(staff.book) <= CAP
                assert staff.count_tier(Tier.A) <= A_CAP
                if staff.status is StaffStatus.DEPARTED:
                    assert staff.book == {}
            for cid in self.customers:
                customer = self.ledger.customer(cid)
                holding = [s for s, staff in books.items() if str(cid) in staff.book]
                assert holding == ([customer.holder] if customer.holder else [])

        @invariant()
        def company_leads_were_placed_by_rule(self) -> None:
            if not hasattr(self, "ledger"):
                return
            for cid in self.customers:
                customer = self.ledger.customer(cid)
                if customer.source is Source.COMPANY_INBOUND and customer.ever_held:
                    first = next(
                        e for e in self.ledger.events.get(cid) if isinstance(e, Customer.Assigned)
                    )
                    assert first.rule in ("lead_allocator", "manager_override")

    return Ownership


def test_random_command_sequences_keep_every_invariant(
    store: LedgerSettings, tmp_path: Path
) -> None:
    def make_ledger() -> OwnershipLedger:
        if store.database_url:
            from tests.conftest import drop_all_tables

            drop_all_tables(store.database_url)
            return OwnershipLedger(store)
        return OwnershipLedger(
            store.model_copy(update={"data_dir": Path(tempfile.mkdtemp(dir=tmp_path))})
        )

    run_state_machine_as_test(
        machine_for(make_ledger),
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
