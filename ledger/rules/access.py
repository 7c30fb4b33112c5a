"""Customer information by permission: each role reads only the files its work needs (12, 17)."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.enums import Role
from ledger.errors import AccessDenied

READ_ALL = frozenset({Role.AUDITOR, Role.ADMIN, Role.ALLOCATION_TEAM})
READ_BY_AREA = frozenset({Role.CLERK, Role.CALLBACK, Role.SALES_VP})
NAME_OTHERS = frozenset({Role.MANAGER, Role.CLERK, Role.ALLOCATION_TEAM, Role.ADMIN})
# The company's own file keepers: the clerk files every customer's records and the callback
# team calls every customer back (rules 22-26); the door lets each only its own kind of write.
FILE_KEEPERS = frozenset({Role.CLERK, Role.CALLBACK})


@dataclass(frozen=True)
class Reader:
    staff_id: str
    role: Role
    team: str
    area: str


@dataclass(frozen=True)
class FileFacts:
    customer_id: str
    holder: str | None
    holder_team: str | None
    served_by: frozenset[str]
    served_by_teams: frozenset[str]
    area: str | None


def check_can_read(reader: Reader, file: FileFacts) -> str:
    """Return why the read is allowed, or refuse it naming the rule."""
    if reader.role in READ_ALL:
        return f"{reader.role.value} reads every file"
    if reader.staff_id == file.holder:
        return "holder"
    if reader.staff_id in file.served_by:
        return "serves on the customer's team"
    if reader.role is Role.MANAGER and reader.team in ({file.holder_team} | file.served_by_teams):
        return "manager of the holder's team"
    if reader.role in READ_BY_AREA and file.area is not None and file.area == reader.area:
        return "same branch"
    raise AccessDenied(
        "file_access_denied",
        f"Staff {reader.staff_id} ({reader.role.value}) has no permission to read customer "
        f"{file.customer_id}'s file (SEED-RULES 12, 17).",
        staff_id=reader.staff_id,
        customer_id=file.customer_id,
        rule="access",
    )


def check_can_write(reader: Reader, file: FileFacts, what: str) -> None:
    """Who may read a file may record on it; nobody else (a rep on another rep's customer)."""
    if reader.role in FILE_KEEPERS:
        return
    try:
        check_can_read(reader, file)
    except AccessDenied:
        raise AccessDenied(
            "file_write_denied",
            f"Staff {reader.staff_id} ({reader.role.value}) may not record a {what} on customer "
            f"{file.customer_id}: not its holder, on its team, or their manager (SEED-RULES "
            "12, 17).",
            staff_id=reader.staff_id,
            customer_id=file.customer_id,
            rule="access",
        ) from None


def check_own_name(reader: Reader, named: str, what: str) -> None:
    """A staff member records their own work; naming another is for whoever supervises it."""
    if named != reader.staff_id and reader.role not in NAME_OTHERS:
        raise AccessDenied(
            "acting_for_another",
            f"Staff {reader.staff_id} ({reader.role.value}) may record a {what} only in their "
            f"own name, not as {named}.",
            staff_id=reader.staff_id,
            named=named,
            rule="access",
        )
