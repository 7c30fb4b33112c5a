"""A customer's life on one page: who held it when, who was in contact, what callbacks found."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass
class PersonContacts:
    """One person's contacts with the customer, and what callbacks said about them."""

    staff_id: str
    name: str
    role: str
    contacts: list[Row] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.contacts)

    @property
    def first(self) -> str:
        return str(min(c["occurred_at"] for c in self.contacts))

    @property
    def last(self) -> str:
        return str(max(c["occurred_at"] for c in self.contacts))

    @property
    def kinds(self) -> str:
        tally = Counter(c["kind"] for c in self.contacts)
        return ", ".join(f"{kind} {n}" for kind, n in tally.most_common())

    def outcomes(self, outcome: str) -> int:
        return sum(c["outcome"] == outcome for c in self.contacts)

    @property
    def verified(self) -> int:
        return sum(c["verified_at"] is not None for c in self.contacts)

    @property
    def private(self) -> int:
        return sum(c["channel"] in ("private_phone", "private_email") for c in self.contacts)


def who_is_who(file: Row, staff: dict[str, Row]) -> dict[str, str]:
    """What each person is to this customer now: holder, a team role, or their staff role."""
    roles: dict[str, str] = {member["staff_id"]: member["role"] for member in file["team"]}
    return {sid: roles.get(sid, str(row["role"])) for sid, row in staff.items()}


def contacts_by_person(file: Row, staff: dict[str, Row]) -> list[PersonContacts]:
    """Contacts grouped by the person who made them, busiest first."""
    roles = who_is_who(file, staff)
    people: dict[str, PersonContacts] = {}
    for contact in file["contacts"]:
        sid = contact["staff_id"]
        if sid not in people:
            name = staff.get(sid, {}).get("name", sid)
            people[sid] = PersonContacts(sid, name, roles.get(sid, "?"))
        people[sid].contacts.append(contact)
    return sorted(people.values(), key=lambda p: (-p.count, p.name))


def callbacks(file: Row) -> list[Row]:
    """Contacts a callback has verified, in the order the callbacks were made."""
    done = [c for c in file["contacts"] if c["verified_at"] is not None]
    return sorted(done, key=lambda c: (c["verified_at"], c["contact_id"]))


MOVES = ("assigned", "reassigned", "released")


def with_moves(intervals: list[Row], custody: list[Row]) -> list[Row]:
    """Each holding interval with the custody fact that began it (none: the registration)."""
    began = {row["occurred_at"]: row for row in custody if row["kind"] in MOVES}
    return [{**held, "move": began.get(held["valid_from"])} for held in intervals]


def last_fact(file: Row) -> str:
    """The latest business time anything on the file happened."""
    times = [file["customer"]["updated_at"], *(c["occurred_at"] for c in file["contacts"])]
    times += [p["resolved_at"] or p["logged_at"] for p in file["complaints"]]
    return str(max(times))


def single_threaded_share(people: list[PersonContacts]) -> float | None:
    total = sum(p.count for p in people)
    return people[0].count / total if total else None
