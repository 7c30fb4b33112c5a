"""Which customers a reader may open, read from the read models: the scope of every list.

It is the file rule of `ledger/rules/access.py` (rules 12, 17) asked of many files at once: a
holder and the staff serving a customer read its file, a manager the files of their team's
customers, a clerk, callback agent or sales VP those of their branch, and the allocation team,
auditors and admins every file. Lists (reports, books, the pool, the access audit, the
dashboard's pages) show only those customers, so no list names a file its reader cannot open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ledger.enums import Role
from ledger.rules.access import READ_ALL, READ_BY_AREA
from projections.reports import REPORTS, Period
from projections.store import Tx

Sections = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Viewer:
    staff_id: str
    role: Role
    team: str
    area: str


def viewer(tx: Tx, staff_id: str) -> Viewer | None:
    """The staff member as the read models know them; None for an unknown id."""
    row = tx.one("SELECT role, team, area FROM ledger_rm_staff WHERE staff_id=:s", {"s": staff_id})
    if row is None:
        return None
    return Viewer(staff_id, Role(row["role"]), row["team"], row["area"])


def readable(tx: Tx, who: Viewer) -> frozenset[str] | None:
    """The customer ids `who` may open, or None when that is every customer."""
    if who.role in READ_ALL:
        return None
    ids = {
        r["customer_id"]
        for r in tx.all(
            "SELECT customer_id FROM ledger_rm_customer WHERE holder=:s "
            "UNION SELECT customer_id FROM ledger_rm_team WHERE staff_id=:s",
            {"s": who.staff_id},
        )
    }
    if who.role is Role.MANAGER:
        ids |= {
            r["customer_id"]
            for r in tx.all(
                "SELECT c.customer_id FROM ledger_rm_customer c JOIN ledger_rm_staff s "
                "ON s.staff_id = c.holder WHERE s.team=:t UNION SELECT m.customer_id FROM "
                "ledger_rm_team m JOIN ledger_rm_staff s ON s.staff_id = m.staff_id WHERE s.team=:t",
                {"t": who.team},
            )
        }
    if who.role in READ_BY_AREA:
        ids |= {
            r["customer_id"]
            for r in tx.all(
                "SELECT customer_id FROM ledger_rm_customer WHERE area=:a", {"a": who.area}
            )
        }
    return frozenset(ids)


def scoped_rows(
    rows: Iterable[dict[str, Any]], allowed: frozenset[str] | None
) -> list[dict[str, Any]]:
    """The rows about a customer the reader may open, and every row about no customer."""
    if allowed is None:
        return list(rows)
    return [r for r in rows if r.get("customer_id") is None or r["customer_id"] in allowed]


def scoped(sections: Sections, allowed: frozenset[str] | None) -> Sections:
    return {name: scoped_rows(rows, allowed) for name, rows in sections.items()}


def scope_of(tx: Tx, staff_id: str | None) -> frozenset[str] | None:
    """A staff reader's scope; nothing at all for an id the read models do not know."""
    who = viewer(tx, staff_id) if staff_id else None
    return frozenset() if who is None else readable(tx, who)


RANKED = {"control": "at_risk"}  # reports whose section is the top N of every customer


def report_for(tx: Tx, staff_id: str | None, name: str, period: Period) -> Sections:
    """A report as its reader may see it: a ranked list is ranked within their own customers
    (a team manager's at-risk list is their team's top N, not the company's, thinned)."""
    allowed = scope_of(tx, staff_id)
    if allowed is None:
        return REPORTS[name](tx, period)
    if name not in RANKED:
        return scoped(REPORTS[name](tx, period), allowed)
    every = replace(period, top=2**31 - 1)  # rank all, then keep the reader's top N
    sections = scoped(REPORTS[name](tx, every), allowed)
    ranked = RANKED[name]
    sections[ranked] = sections[ranked][: period.top]
    return sections
