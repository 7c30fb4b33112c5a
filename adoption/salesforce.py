"""Salesforce's Data Export / Data Loader files as the ledger's history of owners.

`Account` gives each customer, its creation and current owner; `AccountHistory` gives every
owner change, written by Salesforce as two rows (one with the users' ids, `DataType` EntityId,
one with their names, Text) that are paired here into one move; `User` gives the staff. The
first owner is the old value of the first change, else the account's owner. Tasks and Events
on accounts become contacts. Ids are compared in their 15-character form: an 18-character id
is the same record with a case-safe suffix, which is checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from adoption.mapping import MappingFile, Person
from adoption.sources import (
    EARLIEST,
    Line,
    Prepared,
    Timeline,
    export_time,
    first_column,
    lookup,
    plural,
    read_csv,
    unknown,
)
from ledger.commands.importing import ImportRow, Origin, Skipped, bad, parse_time, skipped
from ledger.enums import Tier
from ledger.errors import LedgerError

SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
ACCOUNT_PREFIX = "001"
USER_PREFIX = "005"


def case_safe(id15: str) -> str:
    """The 18-character form: each 5-character chunk's capitals, as bits, name a suffix letter."""
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(id15[chunk * 5 : chunk * 5 + 5]) if "A" <= c <= "Z")
        suffix += SUFFIX[bits]
    return id15 + suffix


def record_id(text: str) -> str:
    """A record's 15-character id; raises ValueError for anything that is not one."""
    value = text.strip()
    if len(value) not in (15, 18) or not value.isascii() or not value.isalnum():
        raise ValueError(f"{value!r} is not a Salesforce id (15 or 18 letters and digits)")
    if len(value) == 18 and case_safe(value[:15])[15:] != value[15:].upper():
        raise ValueError(f"{value!r}: its last three characters do not match the first fifteen")
    return value[:15]


@dataclass(frozen=True)
class SalesforceFiles:
    accounts: Path
    users: Path
    history: Path | None = None
    activities: tuple[Path, ...] = ()
    exported_at: datetime | None = None  # when the export was taken: the date of a move it implies


@dataclass
class _User:
    ref: str
    name: str
    person: Person
    team: str
    area: str
    origin: Origin
    created: datetime | None
    active: bool = True


@dataclass
class _Account:
    id15: str
    line: Line
    created: datetime
    owner: str
    tier: str | None
    ratings: list[tuple[datetime, ImportRow]] = field(default_factory=list)  # later gradings


def _staff_ref(user: str) -> str:
    return f"salesforce:{user}"


def _customer_ref(account: str) -> str:
    return f"salesforce:{account}"


class SalesforceReader:
    """Reads the files once; `prepare()` gives the rows in business-time order."""

    def __init__(self, files: SalesforceFiles, mapping: MappingFile) -> None:
        self.files = files
        self.mapping = mapping
        self.tiers = mapping.tiers()
        self.sources = mapping.sources()
        self.people = mapping.people()
        self.activities = mapping.activities()
        self.missing = mapping.person("[missing_user]", mapping.table("missing_user"))
        self.missing_team = str(mapping.table("missing_user").get("team", ""))
        self.out = Timeline()
        self.users: dict[str, _User] = {}
        self.named: dict[str, str] = {}  # a user missing from User.csv, named by the history
        self.first_seen: dict[str, datetime] = {}
        self.refused_accounts: dict[str, int] = {}  # id15 -> its refused line
        self.refused_users: set[str] = set()  # refused lines of User.csv: not "missing" users
        self.accounts: dict[str, _Account] = {}
        self.notes: list[str] = []

    def prepare(self) -> Prepared:
        self._read_users()
        self._read_accounts()
        moves = self._read_history() if self.files.history else {}
        self._owner_history(moves)
        for path in self.files.activities:
            self._read_activities(path)
        self._staff_rows()
        return Prepared(self.out.rows(), self.notes)

    # --- emitting -----------------------------------------------------------------

    def _emit(self, at: datetime, kind: str, row: ImportRow) -> None:
        self.out.add(at, kind, row)

    def _refused(self, line: Line, refusal: LedgerError, name: str = "") -> None:
        origin = Origin(line.file, line.line, {name: name} if name else {})
        self.out.skip(skipped(refusal, origin, name))

    def _seen(self, user: str, at: datetime) -> None:
        if user not in self.first_seen or at < self.first_seen[user]:
            self.first_seen[user] = at

    def _time(self, line: Line, column: str) -> datetime:
        return parse_time(line.get(column), line.origin(occurred_at=column), "occurred_at")

    # --- users ------------------------------------------------------------------------

    def _read_users(self) -> None:
        for line in _lines(self, read_csv(self.files.users, ["Id", "Name"])):
            try:
                ref = _id(line, "Id")
                role_column = first_column(line.values, self.mapping.columns("role"))
                role = line.get(role_column)
                origin = line.origin(role=role_column or "UserRole")
                person = self.people.get(role)
                if person is None:
                    self.refused_users.add(ref)
                    raise unknown(role, origin, "role", "roles")
                created = self._time(line, "CreatedDate") if line.get("CreatedDate") else None
            except LedgerError as refusal:
                self._refused(line, refusal)
                continue
            self.users[ref] = _User(
                ref=ref,
                name=line.get("Name"),
                person=person,
                team=line.get(first_column(line.values, self.mapping.columns("team"))),
                area=line.get(first_column(line.values, self.mapping.columns("staff_area"))),
                origin=line.origin(staff_ref="Id", name="Name"),
                created=created,
                active=line.get("IsActive").lower() not in ("false", "0"),
            )

    def _staff_rows(self) -> None:
        """Each user joins when first named (or when created, if earlier): a move never
        names someone the ledger does not know yet."""
        starts = [a.created for a in self.accounts.values()]
        earliest = min(starts) if starts else EARLIEST
        for ref, user in self.users.items():
            seen = [t for t in (user.created, self.first_seen.get(ref)) if t is not None]
            self._emit_staff(user, min(seen) if seen else earliest)
        absent = sorted(set(self.first_seen) - set(self.users) - self.refused_users)
        for ref in absent:
            name = self.named.get(ref) or f"Salesforce user {case_safe(ref)}"
            user = _User(
                ref,
                name,
                self.missing,
                self.missing_team,
                "",
                Origin(self.files.users.name, 0),
                None,
            )
            self._emit_staff(user, self.first_seen[ref])
        if absent:
            shown = ", ".join(f"{self.named.get(r, '?')} ({case_safe(r)})" for r in absent[:5])
            self.notes.append(
                f"{plural(len(absent), 'user')} named in the files not in {self.files.users.name} "
                f"(deleted, or not exported): {shown}{' …' if len(absent) > 5 else ''}; recorded "
                f"as {self.missing.role.value} in team '{self.missing_team}' from the mapping's "
                "[missing_user]."
            )
        inactive = sum(1 for u in self.users.values() if not u.active)
        if inactive:
            self.notes.append(
                f"{plural(inactive, 'user')} inactive in Salesforce: the ledger records them as staff "
                "and keeps their history; record their departures in the ledger."
            )

    def _emit_staff(self, user: _User, at: datetime) -> None:
        row = ImportRow(
            kind="staff",
            at=at,
            origin=user.origin,
            staff_ref=_staff_ref(user.ref),
            name=user.name,
            role=user.person.role,
            seniority=user.person.seniority,
            team=user.team,
            area=user.area,
        )
        self._emit(at, "staff", row)

    def _user(self, text: str, origin: Origin, name: str, at: datetime) -> str:
        """A user id as the ledger's staff ref; the user is recorded as seen at `at`."""
        try:
            ref = record_id(text)
        except ValueError as error:
            raise bad(origin, name, str(error)) from None
        if not ref.startswith(USER_PREFIX):
            raise bad(origin, name, f"{text!r} is not a user id (users' ids start {USER_PREFIX})")
        self._seen(ref, at)
        return ref

    # --- accounts ---------------------------------------------------------------------

    def _read_accounts(self) -> None:
        required = ["Id", "Name", "CreatedDate", "OwnerId"]
        for line in _lines(self, read_csv(self.files.accounts, required)):
            try:
                self._account(line)
            except LedgerError as refusal:
                self._refused(line, refusal)
                with suppress(ValueError):
                    account = record_id(line.get("Id"))
                    if account not in self.accounts:  # a repeated line refuses only itself
                        self.refused_accounts.setdefault(account, line.line)

    def _account(self, line: Line) -> None:
        account = _id(line, "Id")
        if not account.startswith(ACCOUNT_PREFIX):
            raise bad(line.origin(), "Id", f"{line.get('Id')!r} is not an account id")
        created = self._time(line, "CreatedDate")
        owner = self._user(line.get("OwnerId"), line.origin(), "OwnerId", created)
        tier_column = first_column(line.values, self.mapping.columns("tier"))
        rating = line.get(tier_column)
        tier = None
        if rating:
            tier = lookup(self.tiers, rating, line.origin(tier=tier_column or ""), "tier", "tiers")
        source_column = first_column(line.values, self.mapping.columns("source"))
        source = line.get(source_column)
        kind = "imported"
        if source:
            kind = lookup(
                self.sources, source, line.origin(detail=source_column or ""), "detail", "sources"
            )
        if account in self.accounts:
            raise bad(line.origin(), "Id", f"account {case_safe(account)} appears twice")
        self.accounts[account] = _Account(account, line, created, owner, tier)
        row = ImportRow(
            kind="customer",
            at=created,
            origin=line.origin(customer_ref="Id", name="Name", occurred_at="CreatedDate"),
            customer_ref=_customer_ref(account),
            name=line.get("Name"),
            area=line.get(first_column(line.values, self.mapping.columns("area"))),
            detail=kind,
            source_id=case_safe(account),
        )
        self._emit(created, "customer", row)

    # --- history ----------------------------------------------------------------------

    def _read_history(self) -> dict[str, list[tuple[datetime, Line, str, str]]]:
        """Owner changes per account, paired and in time order: (at, line, old, new)."""
        assert self.files.history is not None
        required = ["AccountId", "CreatedDate", "Field", "OldValue", "NewValue"]
        pairs: dict[tuple[str, str, str], list[Line]] = defaultdict(list)
        ratings: list[Line] = []
        others = 0
        for line in _lines(self, read_csv(self.files.history, required)):
            field_name = line.get("Field").lower()
            if field_name == "owner":
                key = (line.get("AccountId")[:15], line.get("CreatedDate"), line.get("CreatedById"))
                pairs[key].append(line)
            elif field_name == "rating":
                ratings.append(line)
            elif field_name == "created":  # read for its date only: a bad one is still reported
                try:
                    self._known_account(line, line.get("AccountId"))
                    self._time(line, "CreatedDate")
                except LedgerError as refusal:
                    self._refused(line, refusal)
            else:
                others += 1
        if others:
            self.notes.append(
                f"{plural(others, 'history row')} of other fields (not owners or ratings) left out."
            )
        moves: dict[str, list[tuple[datetime, Line, str, str]]] = defaultdict(list)
        for lines in pairs.values():
            try:
                account, move = self._pair(lines)
            except LedgerError as refusal:
                self._refused(lines[0], refusal)
                continue
            moves[account].append(move)
        timed: list[tuple[datetime, Line]] = []
        for line in ratings:
            try:
                timed.append((self._time(line, "CreatedDate"), line))
            except LedgerError as refusal:
                self._refused(line, refusal)
        for at, line in sorted(timed, key=lambda item: (item[0], item[1].line)):
            try:
                self._rating(line, at)
            except LedgerError as refusal:
                self._refused(line, refusal)
        for changes in moves.values():
            changes.sort(key=lambda move: (move[0], move[1].line))
        return moves

    def _known_account(self, line: Line, text: str, column: str = "AccountId") -> str:
        try:
            account = record_id(text)
        except ValueError as error:
            raise bad(line.origin(), column, str(error)) from None
        if account in self.refused_accounts:
            where = f"{self.files.accounts.name} line {self.refused_accounts[account]}"
            raise bad(line.origin(), column, f"account {text} was refused ({where})")
        if account not in self.accounts:
            name = self.files.accounts.name
            raise bad(line.origin(), column, f"account {text} is not in {name} (deleted?)")
        return account

    def _pair(self, lines: list[Line]) -> tuple[str, tuple[datetime, Line, str, str]]:
        """Salesforce's two rows of one owner change (ids, names) as one move by ids."""
        by_id = [
            ln for ln in lines if ln.get("DataType").lower() in ("entityid", "id", "reference")
        ]
        by_name = [ln for ln in lines if ln not in by_id]
        line = by_id[0] if by_id else lines[0]
        account = self._known_account(line, line.get("AccountId"))
        at = self._time(line, "CreatedDate")
        if by_id:
            old = self._user(line.get("OldValue"), line.origin(), "OldValue", at)
            new = self._user(line.get("NewValue"), line.origin(), "NewValue", at)
            if by_name:  # the name row names the users the ids row moves: deleted users too
                self.named.setdefault(old, by_name[0].get("OldValue"))
                self.named.setdefault(new, by_name[0].get("NewValue"))
        else:
            old = self._by_name(line, "OldValue", at)
            new = self._by_name(line, "NewValue", at)
        return account, (at, line, old, new)

    def _by_name(self, line: Line, column: str, at: datetime) -> str:
        name = line.get(column)
        found = [ref for ref, user in self.users.items() if user.name == name]
        if len(found) != 1:
            why = "no user has that name" if not found else f"{len(found)} users have that name"
            raise bad(
                line.origin(), column, f"the owner change names {name!r} without its id, and {why}"
            )
        self._seen(found[0], at)
        return found[0]

    def _rating(self, line: Line, at: datetime) -> None:
        account = self._known_account(line, line.get("AccountId"))
        new = line.get("NewValue")
        entry = self.accounts[account]
        old = line.get("OldValue")
        if not entry.ratings:  # the first change says what the account was graded before it
            entry.tier = (
                lookup(self.tiers, old, line.origin(tier="OldValue"), "tier", "tiers")
                if old
                else None
            )
        if not new:
            raise bad(line.origin(), "NewValue", "a rating cannot be taken away in the ledger")
        tier = lookup(self.tiers, new, line.origin(tier="NewValue"), "tier", "tiers")
        origin = line.origin(customer_ref="AccountId", tier="NewValue", occurred_at="CreatedDate")
        grade = ImportRow(
            kind="grade",
            at=at,
            origin=origin,
            customer_ref=_customer_ref(account),
            tier=_tier(tier),
        )
        entry.ratings.append((at, grade))

    def _owner_history(self, moves: dict[str, list[tuple[datetime, Line, str, str]]]) -> None:
        """The first owner at creation, each change after it, and the export's owner when the
        history does not end where the account says it does."""
        reconciled = 0
        for account, entry in self.accounts.items():
            changes = moves.get(account, [])
            line, ref = entry.line, _customer_ref(account)
            if entry.tier:
                origin = line.origin(customer_ref="Id", tier="Rating", occurred_at="CreatedDate")
                grade = ImportRow(
                    kind="grade",
                    at=entry.created,
                    origin=origin,
                    customer_ref=ref,
                    tier=_tier(entry.tier),
                )
                self._emit(entry.created, "grade", grade)
            for at, row in entry.ratings:
                self._emit(at, "history", row)
            first = changes[0][2] if changes else entry.owner
            origin = line.origin(customer_ref="Id", staff_ref="OwnerId", occurred_at="CreatedDate")
            if changes:
                origin = changes[0][1].origin(
                    customer_ref="AccountId", staff_ref="OldValue", occurred_at="CreatedDate"
                )
            self._seen(first, entry.created)
            self._emit(
                entry.created,
                "assign",
                ImportRow(
                    kind="assign",
                    at=entry.created,
                    origin=origin,
                    customer_ref=ref,
                    staff_ref=_staff_ref(first),
                ),
            )
            for at, change, _old, new in changes:
                origin = change.origin(
                    customer_ref="AccountId", staff_ref="NewValue", occurred_at="CreatedDate"
                )
                self._emit(
                    at,
                    "history",
                    ImportRow(
                        kind="assign",
                        at=max(at, entry.created),
                        origin=origin,
                        customer_ref=ref,
                        staff_ref=_staff_ref(new),
                    ),
                )
            last = changes[-1][3] if changes else first
            if last != entry.owner:
                reconciled += 1
                at = self._exported_at()
                self._seen(entry.owner, at)
                origin = line.origin(customer_ref="Id", staff_ref="OwnerId")
                self._emit(
                    at,
                    "holder",
                    ImportRow(
                        kind="holder",
                        at=at,
                        origin=origin,
                        customer_ref=ref,
                        staff_ref=_staff_ref(entry.owner),
                    ),
                )
        if reconciled:
            self.notes.append(
                f"{plural(reconciled, 'account')} whose history ends with another owner than the account names: "
                f"the ledger moves them to the account's owner at the export's date "
                f"({self._exported_at().isoformat()})."
            )

    def _exported_at(self) -> datetime:
        return export_time(self.files.exported_at, self.files.accounts)

    # --- activities -------------------------------------------------------------------

    def _read_activities(self, path: Path) -> None:
        other = clamped = 0
        for line in _lines(self, read_csv(path, ["Id", "WhatId", "OwnerId"])):
            what = line.get("WhatId")
            if not what.startswith(ACCOUNT_PREFIX):
                other += 1  # on an opportunity, a case, a contact: not an account's file
                continue
            try:
                row, moved = self._activity(line, what)
            except LedgerError as refusal:
                self._refused(line, refusal)
                continue
            clamped += moved
            self._emit(row.at, "contact", row)
        if other:
            self.notes.append(
                f"{path.name}: {plural(other, 'activity', 'activities')} on records other than accounts left out."
            )
        if clamped:
            self.notes.append(
                f"{path.name}: {plural(clamped, 'activity', 'activities')} dated (by day) before their account's "
                "creation time were recorded at that time."
            )

    def _activity(self, line: Line, what: str) -> tuple[ImportRow, bool]:
        account = self._known_account(line, what, "WhatId")
        column = first_column(line.values, self.mapping.columns("activity_time"))
        if column is None or not line.get(column):
            raise bad(line.origin(), column or "ActivityDate", "an activity needs its date")
        text = line.get(column)
        origin = line.origin(occurred_at=column)
        if len(text) == 10:  # a day: Task.ActivityDate carries no time
            try:
                day = datetime.fromisoformat(text).date()
            except ValueError:
                raise bad(origin, "occurred_at", f"{text!r} is not a date") from None
            at = parse_time(
                datetime.combine(day, time()).isoformat() + "+00:00", origin, "occurred_at"
            )
        else:
            at = parse_time(text, origin, "occurred_at")
        created = self.accounts[account].created
        moved = at < created
        at = max(at, created)
        owner = self._user(line.get("OwnerId"), line.origin(), "OwnerId", at)
        activity = lookup(
            self.activities, line.get("Type"), line.origin(detail="Type"), "detail", "activities"
        )
        origin = line.origin(
            customer_ref="WhatId",
            staff_ref="OwnerId",
            occurred_at=column,
            detail="Type",
            source_id="Id",
        )
        row = ImportRow(
            kind="contact",
            at=at,
            origin=origin,
            customer_ref=_customer_ref(account),
            staff_ref=_staff_ref(owner),
            detail=activity.kind.value,
            channel=activity.channel.value,
            source_id=_id(line, "Id"),
        )
        return row, moved


def _tier(value: str) -> Tier:
    return Tier(value)


def _id(line: Line, column: str) -> str:
    try:
        return record_id(line.get(column))
    except ValueError as error:
        raise bad(line.origin(), column, str(error)) from None


def _lines(reader: SalesforceReader, records: Iterable[Line | Skipped]) -> Iterator[Line]:
    """Lines of a file; the unreadable ones go straight to the report."""
    for record in records:
        if isinstance(record, Skipped):
            reader.out.skip(record)
        else:
            yield record


def read_salesforce(files: SalesforceFiles, mapping: MappingFile) -> Prepared:
    return SalesforceReader(files, mapping).prepare()
