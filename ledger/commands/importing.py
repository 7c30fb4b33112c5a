"""Adopting the ledger: an existing CRM's owners and history, imported as recorded facts.

Imported lines are history, not new decisions: they are recorded as they happened, with the
rule `imported`, so that reports judge them (a Blue Sun month imported shows as unfair) rather
than the allocation rules refusing them. Many aggregates go into each save: one transaction per
batch is what makes a bulk import fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from ledger.clock import aware
from ledger.commands.placement import PlacementMixin
from ledger.customer import Customer
from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source, Tier, TransferReason
from ledger.errors import InvalidInput, LedgerError
from ledger.staff import Staff

IMPORTED = "imported"
KINDS = ("staff", "customer", "grade", "assign", "release", "contact")


@lru_cache(maxsize=65_536)  # an export names the same staff on most lines
def staff_id(ref: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ledger:import:staff:{ref}")


@lru_cache(maxsize=1_024)  # and each customer on a run of consecutive lines
def customer_id(ref: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ledger:import:customer:{ref}")


class ImportCommands(PlacementMixin):
    def import_history(
        self,
        rows: Iterable[Mapping[str, str]],
        by: str = "system:import",
        batch: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Import rows in file order; returns how many events were written.

        A line that contradicts the history before it stops the import there; the batches
        before it stay recorded (they are true history), and the error names the line.
        """
        self._sessions.map = {}
        self._sync_cache()
        written = lines = 0
        try:
            for line, row in enumerate(rows, start=2):
                self._import_line(line, row, by)
                lines += 1
                if lines % batch == 0:
                    written += self._flush(progress, lines)
            return written + self._flush(progress, lines)
        except IntegrityError:
            raise InvalidInput(
                "import_conflict",
                f"The batch ending at line {lines + 1} repeats records already in the ledger "
                f"(was this file imported before?); {written} events were recorded before it.",
                written=written,
            ) from None
        finally:
            self._sessions.map = None

    def _flush(self, progress: Callable[[int], None] | None, lines: int) -> int:
        session = self._session_map() or {}
        dirty: list[Aggregate] = [a for a in session.values() if a.pending_events]
        count = sum(len(a.pending_events) for a in dirty)
        if dirty:
            self.save(*dirty)
        for key in [k for k, a in session.items() if isinstance(a, Customer)]:
            del session[key]  # customers come in blocks; staff, teams and counts stay at hand
        if progress is not None:
            progress(lines)
        return count

    def _import_line(self, line: int, row: Mapping[str, str], by: str) -> None:
        kind = row.get("kind", "")
        if kind not in KINDS:
            raise InvalidInput(
                "import_bad_kind",
                f"Line {line}: kind must be one of {', '.join(KINDS)}.",
                line=line,
            )
        try:
            at = aware(datetime.fromisoformat(row["occurred_at"]))
            getattr(self, f"_import_{kind}")(row, at, by)
        except LedgerError as refusal:
            raise InvalidInput(refusal.code, f"Line {line}: {refusal.message}", line=line) from None
        except (KeyError, ValueError) as bad:
            raise InvalidInput("import_bad_line", f"Line {line}: {bad!r}.", line=line) from None

    def _import_staff(self, row: Mapping[str, str], at: datetime, by: str) -> None:
        seniority = Seniority(row["seniority"]) if row.get("seniority") else None
        staff = Staff._create(
            Staff.Joined, id=staff_id(row["staff_ref"]), name=row["name"], role=Role(row["role"]),
            seniority=seniority, team=row["team"], area=row["area"], occurred_at=at, by=by,
        )  # fmt: skip
        self._remember(staff)
        if staff.role is Role.SALES_REP:
            self._roster().enrol(str(staff.id), occurred_at=at, by=by)

    def _import_customer(self, row: Mapping[str, str], at: datetime, by: str) -> None:
        customer = Customer._create(
            Customer.Registered, id=customer_id(row["customer_ref"]), name=row["name"],
            source=Source(row.get("detail") or Source.IMPORTED.value),
            channel=row.get("channel") or None, area=row.get("area") or None, occurred_at=at, by=by,
        )  # fmt: skip
        self._remember(customer)

    def _import_grade(self, row: Mapping[str, str], at: datetime, by: str) -> None:
        customer = self.customer(customer_id(row["customer_ref"]))
        was_a, tier = customer.tier is Tier.A, Tier(row["tier"])
        customer.grade(tier, row.get("detail") or IMPORTED, {}, 0, at, by)
        holder = self.staff(customer.holder) if customer.holder else None
        if holder is not None:
            holder.retier_customer(str(customer.id), tier, occurred_at=at, by=by)
        if was_a != (tier is Tier.A):
            self._census().count(str(customer.id), tier is Tier.A, occurred_at=at, by=by)
            if holder is not None:
                team = self._team(holder.team)
                (team.gain if tier is Tier.A else team.lose)(str(customer.id), at, by)

    def _import_assign(self, row: Mapping[str, str], at: datetime, by: str) -> None:
        customer = self.customer(customer_id(row["customer_ref"]))
        receiver = self.staff(staff_id(row["staff_ref"]))
        if customer.holder is None:
            customer.assign(str(receiver.id), IMPORTED, row.get("detail", ""), 0, False, [], at, by)
            self._rebook(customer, None, receiver, at, by)
            return
        giver = self.staff(customer.holder)
        reason = TransferReason(row.get("detail") or TransferReason.MANAGER_DECISION.value)
        customer.reassign(str(giver.id), str(receiver.id), reason, None, IMPORTED, "", 0, [], None, at, by)  # fmt: skip
        self._rebook(customer, giver, receiver, at, by)

    def _import_release(self, row: Mapping[str, str], at: datetime, by: str) -> None:
        customer = self.customer(customer_id(row["customer_ref"]))
        if customer.holder is None:
            raise InvalidInput("import_not_held", f"Customer {row['customer_ref']} is not held.")
        giver = self.staff(customer.holder)
        reason = TransferReason(row.get("detail") or TransferReason.MANAGER_DECISION.value)
        customer.release(str(giver.id), reason, IMPORTED, "", 0, occurred_at=at, by=by)
        self._rebook(customer, giver, None, at, by)

    def _import_contact(self, row: Mapping[str, str], at: datetime, by: str) -> None:
        customer = self.customer(customer_id(row["customer_ref"]))
        person = str(staff_id(row["staff_ref"]))
        kind = ContactKind(row.get("detail") or ContactKind.CALL.value)
        contact = uuid5(customer.id, f"{len(customer.contacts)}").hex
        channel = ContactChannel(row.get("channel") or ContactChannel.IN_PERSON.value)
        customer.record_contact(contact, person, kind, channel, "", False, "", "", at, by)


def check_syntax(rows: Iterable[Mapping[str, str]]) -> int:
    """Validate every line's kind, time and enum values before anything is written."""
    count = 0
    for line, row in enumerate(rows, start=2):
        count += 1
        try:
            if row.get("kind") not in KINDS:
                raise ValueError(f"kind must be one of {', '.join(KINDS)}")
            aware(datetime.fromisoformat(row["occurred_at"]))
            for field, enum in (("role", Role), ("seniority", Seniority), ("tier", Tier)):
                if row.get(field):
                    enum(row[field])
        except (KeyError, ValueError, LedgerError) as bad:
            raise InvalidInput("import_bad_line", f"Line {line}: {bad}.", line=line) from None
    return count
