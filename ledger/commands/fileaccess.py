"""One object-level check for every read of a customer's file and every write on it (12, 17).

Who may read a file may record on it; a staff member records in their own name (a manager,
a clerk back-filling a trip, the allocation team or an admin may name someone else). A system
actor or an integration client is not staff: the permission table at the door decided for it.
"""

from __future__ import annotations

from datetime import datetime

from ledger.customer import Customer
from ledger.enums import Role
from ledger.errors import NotFound
from ledger.rules import access, eligibility
from ledger.service import LedgerService
from ledger.staff import Staff


def reader_of(staff: Staff) -> access.Reader:
    return access.Reader(str(staff.id), staff.role, staff.team, staff.area)


def file_facts(app: LedgerService, customer: Customer) -> access.FileFacts:
    holder_team = app.staff_view(customer.holder).team if customer.holder else None
    teams = frozenset(app.staff_view(member).team for member in customer.team)
    return access.FileFacts(
        str(customer.id),
        customer.holder,
        holder_team,
        frozenset(customer.team),
        teams,
        customer.area,
    )


def check_works_on(
    app: LedgerService,
    customer: Customer,
    by: str,
    at: datetime,
    named: str | None = None,
    what: str = "record",
    roles: frozenset[Role] | None = None,
) -> None:
    """Refuse a staff member's write on a file they may not read, or in another's name;
    `roles`: only these roles are checked (anyone else may make this kind of record)."""
    try:
        actor = app.staff_view(by)
    except NotFound:
        return
    if roles is not None and actor.role not in roles:
        return
    eligibility.check_active(by, actor.status_at(at))
    reader = reader_of(actor)
    access.check_can_write(reader, file_facts(app, customer), what)
    if named is not None:
        access.check_own_name(reader, named, what)
