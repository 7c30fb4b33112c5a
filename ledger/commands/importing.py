"""Adopting the ledger: an existing CRM's owners and history, imported as recorded facts.

Imported lines are history, not new decisions: they are recorded as they happened, with the
rule `imported`, so that reports judge them (a Blue Sun month imported shows as unfair) rather
than the allocation rules refusing them. Many aggregates go into each save: one transaction per
batch is what makes a bulk import fast.

An import is planned before it is written: the plan applies every row to the aggregates in
memory, saves nothing, and says what the write would record, which rows it refuses and which
are already in the ledger. A re-import of the same export, or of a later one, writes only
what is new, because every id is derived from the source's own ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from ledger.clock import aware
from ledger.commands.placement import PlacementMixin
from ledger.customer import Customer
from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source, Tier, TransferReason
from ledger.errors import InvalidInput, LedgerError
from ledger.staff import Staff

IMPORTED = "imported"
KINDS = ("staff", "customer", "grade", "assign", "release", "contact", "holder")
LAYOUT = (
    "kind",
    "occurred_at",
    "customer_ref",
    "name",
    "staff_ref",
    "role",
    "seniority",
    "team",
    "area",
    "tier",
    "channel",
    "detail",
)
FACTS = {
    "staff": "staff",
    "customer": "customers",
    "grade": "gradings",
    "assign": "assignments",
    "reassign": "moves",
    "release": "releases",
    "contact": "contacts",
    "holder": "owners dated at the export",
}


@lru_cache(maxsize=65_536)  # an export names the same staff on most lines
def staff_id(ref: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ledger:import:staff:{ref}")


@lru_cache(maxsize=1_024)  # and each customer on a run of consecutive lines
def customer_id(ref: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ledger:import:customer:{ref}")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a row came from, so that a refusal names the file, line and column to fix."""

    file: str
    line: int
    columns: Mapping[str, str] = field(default_factory=dict)  # the row's field -> source column

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line (or one fact of it) the import leaves out, and why."""

    file: str
    line: int
    column: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One fact in the ledger's own import layout, whatever CRM it was read from."""

    kind: str
    at: datetime
    origin: Origin
    customer_ref: str = ""
    staff_ref: str = ""
    name: str = ""
    role: Role | None = None
    seniority: Seniority | None = None
    team: str = ""
    area: str = ""
    tier: Tier | None = None
    channel: str = ""
    detail: str = ""
    source_id: str = ""  # the source record's own id: a contact's identity across re-imports

    @classmethod
    def from_layout(
        cls, row: Mapping[str, str], origin: Origin, zone: tzinfo | None = None
    ) -> ImportRow:
        """Read a row of the ledger's CSV layout; a bad value is refused naming its column."""
        kind = row.get("kind") or ""
        if kind not in KINDS:
            raise bad(origin, "kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        values: dict[str, Any] = {}
        for name, enum in (("role", Role), ("seniority", Seniority), ("tier", Tier)):
            text = row.get(name) or ""
            try:
                values[name] = enum(text) if text else None
            except ValueError:
                choices = ", ".join(member.value for member in enum)
                raise bad(origin, name, f"{name} must be one of {choices}, not {text!r}") from None
        return cls(
            kind=kind,
            at=parse_time(row.get("occurred_at") or "", origin, "occurred_at", zone),
            origin=origin,
            customer_ref=row.get("customer_ref") or "",
            staff_ref=row.get("staff_ref") or "",
            name=row.get("name") or "",
            team=row.get("team") or "",
            area=row.get("area") or "",
            channel=row.get("channel") or "",
            detail=row.get("detail") or "",
            source_id=row.get("source_id") or "",
            **values,
        )

    def needs(self, name: str) -> str:
        value: str = getattr(self, name)
        if not value:
            raise bad(self.origin, name, f"a {self.kind} line needs {self.origin.column(name)}")
        return value


def parse_time(text: str, origin: Origin, name: str, zone: tzinfo | None = None) -> datetime:
    """ISO-8601 with `Z`, `+00:00` or `+0000`; a time without an offset is read in `zone`,
    and refused when no zone is given (a CRM's export says which zone it wrote in)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise bad(origin, name, f"{text!r} is not a date and time (ISO 8601)") from None
    if at.tzinfo is None and zone is not None:
        at = at.replace(tzinfo=zone)
    try:
        return aware(at)
    except LedgerError as refusal:
        raise bad(origin, name, refusal.message) from None


def bad(origin: Origin, name: str, reason: str) -> InvalidInput:
    """A refusal naming the file, line and source column of the field `name`."""
    column = origin.column(name)
    return InvalidInput(
        "import_bad_line",
        f"{origin.file} line {origin.line}, {column}: {reason}.",
        file=origin.file,
        line=origin.line,
        column=column,
    )


def skipped(refusal: LedgerError, origin: Origin, name: str = "") -> Skipped:
    column = str(refusal.params.get("column") or origin.column(name))
    message = refusal.message
    prefix = f"{origin.file} line {origin.line}, {column}: "
    return Skipped(origin.file, origin.line, column, refusal.code, message.removeprefix(prefix))


@dataclass
class ImportPlan:
    """What an import would write (or wrote): the report a dry run prints."""

    facts: Counter[str] = field(default_factory=Counter)
    recorded: Counter[str] = field(default_factory=Counter)  # already in the ledger
    events: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    leave_out: set[int] = field(default_factory=set)  # rows the write pass does not apply
    notes: list[str] = field(default_factory=list)
    written: int | None = None  # events recorded, once written

    @property
    def refused(self) -> bool:
        return bool(self.skipped)


Rows = Iterable[ImportRow | Skipped]


class ImportCommands(PlacementMixin):
    def import_history(
        self,
        rows: Iterable[Mapping[str, str]],
        by: str = "system:import",
        batch: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Import rows of the ledger's layout in file order, unplanned; returns events written.

        The fast path for a trusted file: a line that contradicts the history before it stops
        the import there, the batches before it stay recorded, and the error names the line.
        """
        origin = Origin("import", 0)

        def parsed() -> Iterable[ImportRow]:
            for line, row in enumerate(rows, start=2):
                yield ImportRow.from_layout(row, Origin(origin.file, line))

        return self.write_import(parsed(), set(), by, batch, progress)

    def plan_import(
        self,
        rows: Rows,
        by: str = "system:import",
        progress: Callable[[int], None] | None = None,
    ) -> ImportPlan:
        """Apply every row in memory and save nothing: the report of what a write would do."""
        plan = ImportPlan()
        self._sessions.map = {}
        self._sync_cache()
        self._importing = _Run()
        try:
            for index, row in enumerate(rows):
                if isinstance(row, Skipped):
                    plan.skipped.append(row)
                    plan.leave_out.add(index)
                    continue
                try:
                    fact, changed = self._import_row(row, by)
                except LedgerError as refusal:
                    plan.skipped.append(skipped(refusal, row.origin, _field_of(refusal)))
                    plan.leave_out.add(index)
                    continue
                if not changed:
                    plan.recorded[FACTS[row.kind]] += 1
                    plan.leave_out.add(index)
                    continue
                plan.facts[FACTS[fact]] += 1
                for aggregate in changed:  # counted and dropped: a plan keeps state, not events
                    plan.events += len(aggregate.collect_events())
                if progress is not None and index % 1000 == 0:
                    progress(index)
            return plan
        finally:
            self._importing = None
            self._sessions.map = None

    def write_import(
        self,
        rows: Rows,
        leave_out: set[int],
        by: str = "system:import",
        batch: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Apply and save the rows a plan accepted, a batch per transaction; events written."""
        self._sessions.map = {}
        self._sync_cache()
        written = applied = done = 0
        last = Origin("import", 0)
        try:
            for index, row in enumerate(rows):
                if isinstance(row, Skipped) or index in leave_out:
                    continue
                last = row.origin
                try:
                    self._import_row(row, by)
                except LedgerError as refusal:
                    message = refusal.message
                    if not message.startswith(f"{row.origin.file} line"):
                        message = f"Line {row.origin.line}: {message}"
                    raise InvalidInput(refusal.code, message, line=row.origin.line) from None
                applied, done = applied + 1, index + 1
                if applied % batch == 0:
                    written += self._flush(progress, done)
            return written + self._flush(progress, done)
        except IntegrityError:
            raise InvalidInput(
                "import_conflict",
                f"The batch ending at line {last.line} repeats records already in the ledger "
                f"(was this file imported before?); {written} events were recorded before it.",
                written=written,
            ) from None
        finally:
            self._sessions.map = None

    def _flush(self, progress: Callable[[int], None] | None, done: int) -> int:
        session = self._session_map() or {}
        dirty: list[Aggregate] = [a for a in session.values() if a.pending_events]
        count = sum(len(a.pending_events) for a in dirty)
        if dirty:
            self.save(*dirty)
        for key in [k for k, a in session.items() if isinstance(a, Customer)]:
            del session[key]  # customers come in blocks; staff, teams and counts stay at hand
        if progress is not None:
            progress(done)
        return count

    # --- one row --------------------------------------------------------------------

    _importing: _Run | None = None

    def _import_row(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        """Apply one row; returns the fact it recorded and what it changed (nothing: already
        in the ledger). Every check comes before the first change, so a refused row leaves
        the plan's state as it was."""
        handler: Callable[[ImportRow, str], tuple[str, list[Aggregate]]] = getattr(
            self, f"_import_{row.kind}"
        )
        return handler(row, by)

    def _exists(self, aggregate_id: UUID) -> Aggregate | None:
        """The aggregate if the ledger (or this run) already has it."""
        try:
            return self._get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _import_staff(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        ref, name = row.needs("staff_ref"), row.needs("name")
        if row.role is None:
            raise bad(row.origin, "role", "a staff line needs a role")
        run = self._importing
        if run is not None and self._exists(staff_id(ref)) is not None:
            if staff_id(ref) in run.created:
                raise bad(row.origin, "staff_ref", f"staff {ref} appears twice in the file")
            return "staff", []
        staff = Staff._create(
            Staff.Joined,
            id=staff_id(ref),
            name=name,
            role=row.role,
            seniority=row.seniority,
            team=row.team,
            area=row.area,
            occurred_at=row.at,
            by=by,
        )
        self._created(staff)
        changed: list[Aggregate] = [staff]
        if staff.role is Role.SALES_REP:
            roster = self._roster()
            roster.enrol(str(staff.id), occurred_at=row.at, by=by)
            changed.append(roster)
        return "staff", changed

    def _import_customer(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        ref, name = row.needs("customer_ref"), row.needs("name")
        try:
            source = Source(row.detail or Source.IMPORTED.value)
        except ValueError:
            raise bad(row.origin, "detail", f"{row.detail!r} is not a customer source") from None
        run = self._importing
        if run is not None and self._exists(customer_id(ref)) is not None:
            if customer_id(ref) in run.created:
                raise bad(row.origin, "customer_ref", f"customer {ref} appears twice in the file")
            return "customer", []
        customer = Customer._create(
            Customer.Registered,
            id=customer_id(ref),
            name=name,
            source=source,
            channel=row.channel or None,
            area=row.area or None,
            occurred_at=row.at,
            by=by,
            source_ref=row.source_id or ref,  # the CRM's id, for a book it can load back
        )
        self._created(customer)
        return "customer", [customer]

    def _created(self, aggregate: Aggregate) -> None:
        self._remember(aggregate)
        if self._importing is not None:
            self._importing.created.add(aggregate.id)

    def _import_customer_of(self, row: ImportRow) -> Customer:
        ref = row.needs("customer_ref")
        try:
            return self.customer(customer_id(ref))
        except LedgerError:
            raise bad(
                row.origin,
                "customer_ref",
                f"customer {ref} is not in the ledger or the file earlier",
            ) from None

    def _import_staff_of(self, row: ImportRow, ref: str, name: str = "staff_ref") -> Staff:
        try:
            return self.staff(staff_id(ref))
        except LedgerError:
            raise bad(
                row.origin, name, f"staff {ref} is not in the ledger or the file earlier"
            ) from None

    def _already(self, customer: Customer, fact: tuple[Any, ...]) -> bool:
        """Is this fact among the customer's stored events? Only a re-import asks, and only
        about a customer recorded before this run; each stored fact answers once."""
        run = self._importing
        if run is None or customer.id in run.created:
            return False
        facts = run.stored.get(customer.id)
        if facts is None:
            facts = run.stored[customer.id] = self._stored_facts(customer.id)
        if facts[fact] > 0:
            facts[fact] -= 1
            return True
        return False

    def _stored_facts(self, aggregate_id: UUID) -> Counter[tuple[Any, ...]]:
        facts: Counter[tuple[Any, ...]] = Counter()
        for stored in self.recorder.select_events(aggregate_id):
            e: Any = self.mapper.to_domain_event(stored)
            if isinstance(e, Customer.Graded):
                facts["grade", e.occurred_at, e.tier] += 1
            elif isinstance(e, Customer.Assigned):
                facts["assign", e.occurred_at, e.holder] += 1
            elif isinstance(e, Customer.Reassigned):
                facts["assign", e.occurred_at, e.to_holder] += 1
            elif isinstance(e, Customer.Released):
                facts["release", e.occurred_at] += 1
        return facts

    def _import_grade(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        if row.tier is None:
            raise bad(row.origin, "tier", "a grade line needs a tier")
        customer, tier = self._import_customer_of(row), row.tier
        if self._already(customer, ("grade", row.at, tier)):
            return "grade", []
        was_a = customer.tier is Tier.A
        holder = self.staff(customer.holder) if customer.holder else None
        customer.grade(tier, row.detail or IMPORTED, {}, 0, row.at, by)
        changed: list[Aggregate] = [customer]
        if holder is not None:
            holder.retier_customer(str(customer.id), tier, occurred_at=row.at, by=by)
            changed.append(holder)
        if was_a != (tier is Tier.A):
            census = self._census()
            census.count(str(customer.id), tier is Tier.A, occurred_at=row.at, by=by)
            changed.append(census)
            if holder is not None:
                team = self._team(holder.team)
                (team.gain if tier is Tier.A else team.lose)(str(customer.id), row.at, by)
                changed.append(team)
        return "grade", changed

    def _import_assign(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        customer = self._import_customer_of(row)
        receiver = self._import_staff_of(row, row.needs("staff_ref"))
        if self._already(customer, ("assign", row.at, str(receiver.id))):
            return "assign", []
        return self._move(customer, receiver, row, by)

    def _import_holder(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        """The CRM's current owner, where it keeps no history: a move only if it differs."""
        customer = self._import_customer_of(row)
        receiver = self._import_staff_of(row, row.needs("staff_ref"))
        if customer.holder == str(receiver.id):
            return "holder", []
        _, changed = self._move(customer, receiver, row, by)
        return "holder", changed

    def _move(
        self, customer: Customer, receiver: Staff, row: ImportRow, by: str
    ) -> tuple[str, list[Aggregate]]:
        if customer.holder is None:
            customer.assign(str(receiver.id), IMPORTED, row.detail, 0, False, [], row.at, by)
            return "assign", [customer, *self._rebook(customer, None, receiver, row.at, by)]
        giver = self.staff(customer.holder)
        reason = _reason(row)
        customer.reassign(
            str(giver.id), str(receiver.id), reason, None, IMPORTED, "", 0, [], None, row.at, by
        )
        return "reassign", [customer, *self._rebook(customer, giver, receiver, row.at, by)]

    def _import_release(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        customer = self._import_customer_of(row)
        if self._already(customer, ("release", row.at)):
            return "release", []
        if customer.holder is None:
            raise bad(row.origin, "customer_ref", f"customer {row.customer_ref} is not held")
        giver = self.staff(customer.holder)
        reason = _reason(row)
        customer.release(str(giver.id), reason, IMPORTED, "", 0, occurred_at=row.at, by=by)
        return "release", [customer, *self._rebook(customer, giver, None, row.at, by)]

    def _import_contact(self, row: ImportRow, by: str) -> tuple[str, list[Aggregate]]:
        customer = self._import_customer_of(row)
        person = self._import_staff_of(row, row.needs("staff_ref"))
        try:
            kind = ContactKind(row.detail or ContactKind.CALL.value)
        except ValueError:
            raise bad(row.origin, "detail", f"{row.detail!r} is not a kind of contact") from None
        try:
            channel = ContactChannel(row.channel or ContactChannel.IN_PERSON.value)
        except ValueError:
            raise bad(row.origin, "channel", f"{row.channel!r} is not a contact channel") from None
        identity = row.source_id or f"{row.at.isoformat()}|{row.staff_ref}|{kind.value}"
        contact = uuid5(customer.id, f"import:{identity}").hex
        run = self._importing
        if contact in customer.contacts:
            stored = run is not None and customer.id not in run.created and contact not in run.added
            if stored:
                return "contact", []
            if row.source_id:
                raise bad(row.origin, "source_id", f"activity {row.source_id} appears twice")
            contact = uuid5(customer.id, f"import:{identity}|{len(customer.contacts)}").hex
        if run is not None:
            run.added.add(contact)
        customer.record_contact(
            contact, str(person.id), kind, channel, "", False, "", "", row.at, by
        )
        return "contact", [customer]


@dataclass
class _Run:
    """What a planning run knows beyond the aggregates: what it created, what was stored."""

    created: set[UUID] = field(default_factory=set)
    stored: dict[UUID, Counter[tuple[Any, ...]]] = field(default_factory=dict)
    added: set[str] = field(default_factory=set)  # contacts this run recorded


def _reason(row: ImportRow) -> TransferReason:
    if not row.detail or row.kind == "holder":
        return TransferReason.MANAGER_DECISION
    try:
        return TransferReason(row.detail)
    except ValueError:
        raise bad(row.origin, "detail", f"{row.detail!r} is not a transfer reason") from None


def _field_of(refusal: LedgerError) -> str:
    return str(refusal.params.get("column") or "")


def check_syntax(rows: Iterable[Mapping[str, str]], file: str = "import") -> int:
    """Validate every line's kind, time and enum values before anything is written."""
    count = 0
    for line, row in enumerate(rows, start=2):
        count += 1
        ImportRow.from_layout(row, Origin(file, line))
    return count
