"""The demo company's records: contacts on company channels, trips through their review chain,
callbacks that sometimes disagree, complaints stopped at every step, key people who change.

A mixin of `DemoCompany`, kept apart so each module stays readable on one screen or two.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.enums import CallbackOutcome, ContactChannel, ContactKind, KeyRole, Role, TeamRole

HOTLINES = {"hotline-1": "+86 400 800 0001", "hotline-2": "+86 400 800 0002"}
MAILBOX = "sales@bluesun.example"
ROUTINE = (ContactKind.VISIT, ContactKind.CALL, ContactKind.EMAIL, ContactKind.MEETING)
COMPLAINT_STEPS = ("reply", "investigate", "recheck", "confirm", "feed_back", "close")
TITLES = ("purchasing director", "general manager", "chief engineer", "finance head")


class RecordsLife:
    """What people do with a customer once it is placed; every step goes through the ledger."""

    app: OwnershipLedger
    rng: random.Random
    now: datetime
    holder: dict[UUID, Any]
    team: dict[UUID, list[Any]]
    phone: dict[str, str]

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        raise NotImplementedError

    def staff_of(self, role: Role) -> list[UUID]:
        raise NotImplementedError

    def person_id(self, person: object) -> UUID:
        raise NotImplementedError

    def is_lone_wolf(self, person: object) -> bool:
        raise NotImplementedError

    def try_refused(self, command: Callable[[], object]) -> None:
        raise NotImplementedError

    def pick(self, role: Role) -> str:
        return str(self.rng.choice(self.staff_of(role)))

    # --- company channels --------------------------------------------------------------

    def register_channels(self, staff: list[tuple[UUID, Role]], when: datetime, by: str) -> None:
        """Hotlines, the company mailbox and one company phone per customer-facing person."""
        self.phone = {}
        for line, number in HOTLINES.items():
            self.app.register_channel(number, "phone", line, when, by)
        self.app.register_channel(MAILBOX, "mailbox", "company-mailbox", when, by)
        for n, (staff_id, role) in enumerate(staff):
            if role in (Role.SALES_REP, Role.SERVICE, Role.TECHNICAL):
                number = f"+86 10 5555 {n:04d}"
                self.app.register_channel(number, "phone", str(staff_id), when, by)
                self.phone[str(staff_id)] = number

    def key_people(self, cid: UUID) -> None:
        """The decision maker is named on arrival (151); some are replaced later (161)."""
        name = f"Mr {self.rng.choice(('Gao', 'Lin', 'Sun', 'Ma', 'Hu'))}"
        by = self.pick(Role.CLERK)
        self.app.record_key_contact(
            cid, name, self.rng.choice(TITLES), KeyRole.DECISION_MAKER, self.now, by
        )
        self.app.set_customer_channel(cid, self.rng.choice(list(HOTLINES.values())), self.now, by)
        if self.rng.random() < 0.1:
            self.at(self.now + timedelta(days=self.rng.randint(60, 500)), self.key_change(cid))

    def key_change(self, cid: UUID) -> Callable[[], None]:
        def act() -> None:
            name = f"Ms {self.rng.choice(('Deng', 'Xie', 'Tang', 'Feng'))}"
            self.app.record_key_contact(
                cid, name, "general manager", KeyRole.DECISION_MAKER, self.now,
                self.pick(Role.CLERK),
            )  # fmt: skip

        return act

    # --- contacts, trips and callbacks ---------------------------------------------------

    def contact(self, cid: UUID) -> Callable[[], None]:
        def act() -> None:
            holder = self.holder[cid]
            if holder is None:
                return
            lone = self.is_lone_wolf(holder)
            person = self.rng.choice([holder] if lone else [holder, *self.team[cid]])
            if self.rng.random() < 0.12:
                self.trip(cid, self.person_id(person))
                return
            kind = self.contact_kind(cid, person is holder)
            channel = self.rng.choices(list(ContactChannel), [4, 2, 4, 1 if lone else 0, 1])[0]
            pid = str(self.person_id(person))
            receipt = self.app.record_contact(
                cid, UUID(pid), kind, channel, self.now, pid,
                met="purchasing lead", decision_maker_met=self.rng.random() < 0.4,
                needs="volume pricing", next_step="follow-up call",
                channel_address=self.address(channel, pid),
                asked_for=(self.name_of(holder) if lone else "company") if kind is ContactKind.CALL else None,
                recorded_at=self.recorded(),
            )  # fmt: skip
            assert receipt.ref is not None
            if self.rng.random() < 0.45:
                later = self.now + timedelta(days=self.rng.randint(1, 10))
                self.at(later, self.callback(cid, receipt.ref))

        return act

    def name_of(self, person: object) -> str:
        return str(getattr(person, "name", person))

    def contact_kind(self, cid: UUID, by_holder: bool) -> ContactKind:
        """After a contract some holders keep doing the service work themselves: hand-off drift."""
        signed = self.app.customer_view(cid).contracts > 0
        if signed and (not by_holder or self.rng.random() < 0.3):
            return ContactKind.SERVICE
        return self.rng.choice(ROUTINE)

    def address(self, channel: ContactChannel, staff_id: str) -> str | None:
        if channel is ContactChannel.COMPANY_PHONE:
            return self.phone.get(staff_id, HOTLINES["hotline-1"])
        if channel is ContactChannel.COMPANY_EMAIL:
            return MAILBOX
        if channel is ContactChannel.PRIVATE_PHONE:
            return f"+86 139 {self.rng.randint(1000, 9999)} {self.rng.randint(1000, 9999)}"
        if channel is ContactChannel.PRIVATE_EMAIL:
            return f"rep{self.rng.randint(1, 99)}@mail.example"
        return None

    def recorded(self) -> datetime:
        """Most records are written the same day; one in twenty a week or more late (14–15)."""
        late = self.rng.random() < 0.05
        return self.now + timedelta(days=self.rng.randint(8, 20) if late else 0, hours=2)

    def callback(self, cid: UUID, contact_id: str) -> Callable[[], None]:
        def act() -> None:
            caller = self.pick(Role.CALLBACK)
            outcome = self.rng.choices(list(CallbackOutcome), [8, 1, 1])[0]
            score = None if outcome is CallbackOutcome.UNREACHABLE else self.rng.randint(2, 5)
            note = "customer recalls a phone call, not a visit" * (
                outcome is CallbackOutcome.DISCREPANCY
            )
            self.app.verify_contact(
                cid, contact_id, UUID(caller), outcome, self.now, caller, score, note
            )

        return act

    def trip(self, cid: UUID, traveller: UUID) -> None:
        """A trip record walks its chain; a few stop at a step, as paperwork does (23–27)."""
        by = str(traveller)
        trip = self.app.record_trip(
            cid, traveller, self.now, by, purpose="sales",
            met=["purchasing lead"], decision_maker_met=self.rng.random() < 0.5,
            needs="annual supply contract", key_information="budget approved in Q3",
            next_step="send quotation", recorded_at=self.recorded(),
        ).id  # fmt: skip
        amount = Decimal(self.rng.randint(300, 3000))
        self.app.claim_trip_expense(trip, amount, self.now, by)
        steps = self.rng.choices([1, 2, 3, 4], [1, 1, 1, 12])[0]
        chain: list[Callable[[datetime], object]] = [
            lambda t: self.app.review_trip(trip, True, "signed", t, self.pick(Role.SALES_VP)),
            lambda t: self.app.backfill_trip(
                trip,
                ["needs: annual supply contract", "next: send quotation"],
                t,
                self.pick(Role.CLERK),
            ),
            lambda t: self.app.qualify_trip(
                trip, "travel information qualified", t, self.pick(Role.CLERK)
            ),
            lambda t: self.app.approve_trip_expense(trip, t, self.pick(Role.MANAGER)),
        ]
        for n, step in enumerate(chain[:steps], start=1):
            self.at(self.now + timedelta(days=2 * n), self.later(step))
        if self.rng.random() < 0.6:
            self.at(self.now + timedelta(days=3), self.trip_callback(trip))

    def later(self, step: Callable[[datetime], object]) -> Callable[[], None]:
        def act() -> None:
            step(self.now)

        return act

    def trip_callback(self, trip: UUID) -> Callable[[], None]:
        def act() -> None:
            caller = self.pick(Role.CALLBACK)
            outcome = self.rng.choices(list(CallbackOutcome), [7, 2, 1])[0]
            discrepancy = outcome is CallbackOutcome.DISCREPANCY
            self.app.verify_trip(
                trip, UUID(caller), outcome, self.now, caller,
                satisfaction=None if outcome is CallbackOutcome.UNREACHABLE else self.rng.randint(2, 5),
                differences="customer says the meeting lasted one hour, not two days" * discrepancy,
                problems="asks for faster delivery" * (self.rng.random() < 0.3),
            )  # fmt: skip

        return act

    # --- contracts and complaints ---------------------------------------------------------

    def contract(self, cid: UUID) -> Callable[[], None]:
        def act() -> None:
            value = Decimal(self.rng.randint(10, 500) * 1000)
            ref = f"CT-{self.rng.randint(10000, 99999)}"
            holder = self.holder[cid]
            if holder is None:  # the company signs through a customer's holder
                return
            self.app.sign_contract(cid, ref, value, self.now, str(self.person_id(holder)))
            for role, team_role, days in (
                (Role.SERVICE, TeamRole.SERVICE, 5),
                (Role.TECHNICAL, TeamRole.TECHNICAL, 9),
            ):
                self.at(self.now + timedelta(days=days), self.join_team(cid, role, team_role))

        return act  # fmt: skip

    def join_team(self, cid: UUID, role: Role, team_role: TeamRole) -> Callable[[], None]:
        raise NotImplementedError

    def complaint(self, cid: UUID) -> Callable[[], None]:
        """Complaints stop at every step, so the demo shows each state of the workflow."""

        def act() -> None:
            form = {"channel": "hotline", "product": "valve series 7", "severity": "medium"}
            by = self.pick(Role.SERVICE)
            ref = self.app.log_complaint(cid, "late delivery", self.now, by, form=form).ref
            assert ref is not None
            steps = self.rng.randint(0, len(COMPLAINT_STEPS))
            delay = self.rng.choice([4, 12, 30])  # hours to the first reply: some miss 24 h
            for n, step in enumerate(COMPLAINT_STEPS[:steps]):
                when = self.now + timedelta(hours=delay) + timedelta(days=3 * n)
                self.at(when, self.complaint_step(ref, step))

        return act

    def complaint_step(self, ref: str, step: str) -> Callable[[], None]:
        def act() -> None:
            app, t, handler = self.app, self.now, self.pick(Role.SERVICE)
            actions: dict[str, Callable[[], object]] = {
                "reply": lambda: app.reply_complaint(ref, "we are on it", t, handler),
                "investigate": lambda: app.investigate_complaint(
                    ref,
                    "carrier missed pickup",
                    "re-ship by express",
                    "second carrier on contract",
                    t,
                    handler,
                    escalated_to="operations director" if self.rng.random() < 0.2 else None,
                ),
                "recheck": lambda: app.recheck_complaint(
                    ref, "delivered and installed", t, handler
                ),
                "confirm": lambda: app.confirm_complaint(
                    ref, self.rng.randint(3, 5), "satisfied", t, self.pick(Role.CALLBACK)
                ),
                "feed_back": lambda: app.feed_back_complaint(
                    ref, ["operations"], "carrier review", t, handler
                ),
                "close": lambda: app.close_complaint(ref, "replacement shipped", t, handler),
            }
            self.try_refused(actions[step])

        return act
