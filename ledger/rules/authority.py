"""Only the allocation team allocates; exceptions and A-tier approvals need a manager (63)."""

from __future__ import annotations

from ledger.enums import Role
from ledger.errors import RuleViolation

ALLOCATORS = frozenset({Role.ALLOCATION_TEAM, Role.MANAGER})


def check_can_allocate(actor_id: str, actor_role: Role | None, receiver_id: str | None) -> None:
    """Assignments, transfers and releases are made by the allocation team or a manager."""
    if actor_role is Role.SALES_REP and actor_id == receiver_id:
        raise RuleViolation(
            "self_assignment",
            f"Staff {actor_id} may not assign a customer to themself (SEED-RULES 63).",
            actor=actor_id,
            rule="authority",
        )
    if actor_role not in ALLOCATORS:
        role = actor_role.value if actor_role else "unknown"
        raise RuleViolation(
            "not_allocation_team",
            f"Only the allocation team or a manager allocates customers (SEED-RULES 63); "
            f"{actor_id} is {role}.",
            actor=actor_id,
            role=role,
            rule="authority",
        )


def check_exception_grant(grantor_id: str, grantor_role: Role | None, reason: str) -> None:
    """A rule in `exception` mode may be passed only on a manager's recorded reason."""
    if grantor_role is not Role.MANAGER:
        raise RuleViolation(
            "exception_not_authorised",
            f"Only a manager may grant a rule exception; {grantor_id} is not a manager.",
            grantor=grantor_id,
            rule="authority",
        )
    check_exception_reason(grantor_id, reason)


def check_exception_reason(actor_id: str, reason: str) -> None:
    if not reason.strip():
        raise RuleViolation(
            "exception_reason_missing",
            "A rule exception must record the manager's reason.",
            grantor=actor_id,
            rule="authority",
        )


def check_second_approver(
    approver_id: str, approver_role: Role | None, requester: str, giver: str, receiver: str
) -> None:
    """An A-tier transfer is approved by a manager who is not party to it."""
    if approver_role is not Role.MANAGER:
        raise RuleViolation(
            "approver_not_manager",
            f"A-tier transfers are approved by a manager; {approver_id} is not a manager.",
            approver=approver_id,
            rule="a_tier_approval",
        )
    if approver_id in (requester, giver, receiver):
        raise RuleViolation(
            "approver_conflict",
            "The second approver of an A-tier transfer may not be its requester, giver or receiver.",
            approver=approver_id,
            rule="a_tier_approval",
        )


def check_override_reason(actor_id: str, actor_role: Role | None, reason: str) -> None:
    """Placing a company lead by hand is a manager's override, with its reason on record."""
    if actor_role is not Role.MANAGER:
        raise RuleViolation(
            "override_not_authorised",
            f"Only a manager may override the lead allocator; {actor_id} is not a manager.",
            actor=actor_id,
            rule="lead_distribution",
        )
    if not reason.strip():
        raise RuleViolation(
            "override_reason_missing",
            "A manager's override of the lead allocator must record a reason.",
            actor=actor_id,
            rule="lead_distribution",
        )


def check_a_tier_approved(customer_id: str) -> None:
    """A-tier customers move by hand only through a request and a second manager's approval."""
    raise RuleViolation(
        "a_tier_transfer_needs_approval",
        f"Customer {customer_id} is tier A: request the transfer and have a second manager "
        "approve it.",
        customer_id=customer_id,
        rule="a_tier_approval",
    )


def check_exception_usable(
    grant_id: str, approved_by: str | None, granted_for: str, receiver: str
) -> None:
    """A requested exception serves only once a manager approved it, and only for the move
    it was asked for (rule 63: the exception is the manager's decision, not the mover's)."""
    if approved_by is None:
        raise RuleViolation(
            "exception_not_approved",
            f"Rule exception {grant_id} waits for a manager's approval.",
            grant_id=grant_id,
            rule="authority",
        )
    if granted_for != receiver:
        raise RuleViolation(
            "exception_for_another_move",
            f"Rule exception {grant_id} was approved for a move to {granted_for}, not {receiver}.",
            grant_id=grant_id,
            granted_for=granted_for,
            rule="authority",
        )


def check_exception_pending(grant_id: str, approved_by: str | None) -> None:
    if approved_by is not None:
        raise RuleViolation(
            "exception_already_approved",
            f"Rule exception {grant_id} was already approved by {approved_by}.",
            grant_id=grant_id,
            approved_by=approved_by,
            rule="authority",
        )
