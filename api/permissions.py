"""Who may call what: one table, read by the routes and by the authorization matrix test.

The domain still checks its own rules (a sales rep may reach the assignment endpoint, and the
ledger then refuses a self-assignment with its rule code): this table is the coarse door.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.enums import Role

R = Role
EVERY_STAFF = frozenset(Role)
WRITERS = EVERY_STAFF - {R.AUDITOR}
ALLOCATORS = frozenset({R.ALLOCATION_TEAM, R.MANAGER})


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    scopes: frozenset[str] = frozenset()


def p(*roles: Role, scopes: tuple[str, ...] = ()) -> Permission:
    return Permission(frozenset(roles), frozenset(scopes))


PERMISSIONS: dict[str, Permission] = {
    "staff.join": p(R.ADMIN, R.MANAGER),
    "staff.change": p(R.ADMIN, R.MANAGER),
    "staff.announce_departure": p(R.MANAGER, R.ALLOCATION_TEAM),
    "staff.depart": p(R.MANAGER, R.ALLOCATION_TEAM),
    "customers.register": p(R.SALES_REP, R.ALLOCATION_TEAM, R.MANAGER, R.CLERK),
    "customers.grade": p(R.ALLOCATION_TEAM, R.MANAGER),
    "customers.assign": p(R.ALLOCATION_TEAM, R.MANAGER, R.SALES_REP),
    "customers.transfer": p(R.ALLOCATION_TEAM, R.MANAGER),
    "customers.approve_transfer": p(R.MANAGER),
    "customers.release": p(R.ALLOCATION_TEAM, R.MANAGER),
    "exceptions.request": p(R.ALLOCATION_TEAM, R.MANAGER),
    "exceptions.approve": p(R.MANAGER),
    "customers.rotate": p(R.ALLOCATION_TEAM, R.MANAGER),
    "customers.allocate": p(R.ALLOCATION_TEAM, R.MANAGER, scopes=("leads",)),
    "leads.register": p(R.ALLOCATION_TEAM, R.MANAGER, scopes=("leads",)),
    "neglect.sweep": p(R.ALLOCATION_TEAM, R.MANAGER),
    "policy.show": Permission(EVERY_STAFF),
    "policy.adopt": p(R.MANAGER, R.ADMIN),
    # The feed is every event of the company: for auditors, admins and integration clients,
    # not for a manager, whose lists are scoped to their team's files (rules 12, 17).
    "events.feed": p(R.AUDITOR, R.ADMIN, scopes=("read_events",)),
    "team.change": p(R.MANAGER, R.ALLOCATION_TEAM),
    "contacts.record": p(
        R.SALES_REP, R.SERVICE, R.TECHNICAL, R.MANAGER, R.CALLBACK, scopes=("contacts",)
    ),  # the phone team's pre-sales information calls are contacts too (33)
    "callbacks.verify": p(R.CALLBACK, scopes=("callbacks",)),
    "expenses.claim": p(R.SALES_REP, R.SERVICE, R.TECHNICAL, scopes=("expenses",)),
    "contracts.sign": p(R.SALES_REP, R.MANAGER),
    "complaints.log": Permission(WRITERS, frozenset({"contacts"})),
    "complaints.resolve": p(R.SERVICE, R.TECHNICAL, R.MANAGER, R.SALES_VP),
    "trips.record": p(R.SALES_REP, R.SERVICE, R.TECHNICAL, R.MANAGER, scopes=("contacts",)),
    "trips.review": p(R.SALES_VP),
    "trips.file": p(R.CLERK),
    "expenses.approve": p(R.MANAGER, R.ADMIN, scopes=("expenses",)),
    "channels.manage": p(R.ADMIN, R.MANAGER),
    "customers.channel": p(R.CLERK, R.MANAGER, R.ALLOCATION_TEAM, R.SALES_REP),
    "development.log": p(R.SALES_REP, R.MANAGER),
    "development.file": p(R.CLERK),
    "development.manage": p(R.MANAGER, R.SALES_VP),
    "customers.key_contacts": p(R.SALES_REP, R.SERVICE, R.TECHNICAL, R.CLERK, R.MANAGER),
    "customers.read": Permission(EVERY_STAFF),
    "staff.list": Permission(EVERY_STAFF),
    "reads.audit": p(R.AUDITOR, R.ADMIN),
    "staff.book": p(R.MANAGER, R.AUDITOR, R.ADMIN, R.ALLOCATION_TEAM),
    "pool.read": p(R.MANAGER, R.AUDITOR, R.ADMIN, R.ALLOCATION_TEAM),
    "chain.head": p(R.AUDITOR, R.ADMIN, R.MANAGER),
    "reports.read": p(R.MANAGER, R.AUDITOR, R.ADMIN, R.ALLOCATION_TEAM, R.SALES_VP),
    "exports.custody": p(R.MANAGER, R.AUDITOR, R.ADMIN),
    "policy.whatif": p(R.MANAGER, R.ADMIN, R.ALLOCATION_TEAM, R.AUDITOR),  # stores nothing
    "shares.request": Permission(WRITERS),
    "shares.approve": p(R.MANAGER),
    "shares.revoke": p(R.MANAGER),
    "exports.request": Permission(WRITERS - {R.ADMIN}),
    "violations.record": p(R.MANAGER),
    "violations.close_investigation": p(R.MANAGER),
    "violations.read": p(R.MANAGER, R.AUDITOR, R.ADMIN),
    "access.audit": p(R.AUDITOR, R.ADMIN, R.MANAGER),
}


def allowed(operation: str, role: Role | None, scopes: frozenset[str]) -> bool:
    permission = PERMISSIONS[operation]
    if role is None:
        return bool(permission.scopes & scopes)
    return role in permission.roles
