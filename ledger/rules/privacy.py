"""No private use of customer data: a hand-over needs a manager-approved share (42–50, 152).

Staff may not give customer contacts or data to other people or organisations (43). The company
itself may share data under a manager's approval naming recipient, purpose, scope and period
(152; SEED-RULES decision 4); any other export is refused, and the attempt is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ledger.enums import Role, Severity, ShareScope
from ledger.errors import AccessDenied, InvalidInput, RuleViolation

CONSEQUENCES: dict[Severity, tuple[str, ...]] = {
    Severity.MINOR: ("written_warning", "stop_order"),  # 47
    Severity.SERIOUS: ("internal_investigation",),  # 48
    Severity.MALICIOUS: ("termination",),  # 49
}


@dataclass(frozen=True)
class ShareFacts:
    share_id: str
    recipient: str  # compared by `key`: case and spacing do not matter
    purpose: str
    scope: ShareScope
    scope_values: frozenset[str]
    valid_from: datetime
    valid_to: datetime
    approved: bool
    revoked: bool


@dataclass(frozen=True)
class Item:
    """A customer as a share's scope sees it: who holds it and in which area it is."""

    customer_id: str
    holder: str | None
    area: str | None


def check_share_terms(
    recipient: str,
    purpose: str,
    scope: ShareScope,
    values: list[str],
    valid_from: datetime,
    valid_to: datetime,
) -> None:
    """A share names its recipient, its purpose, what it covers and a closed period."""
    if not recipient.strip():
        raise InvalidInput("data_share_recipient_missing", "A data share must name its recipient.")
    if not purpose.strip():
        raise InvalidInput("data_share_purpose_missing", "A data share must state its purpose.")
    if not values or (scope is not ShareScope.CUSTOMERS and len(values) != 1):
        raise InvalidInput(
            "data_share_scope_invalid",
            "A data share covers a list of customers, or exactly one holder or one area.",
            scope=scope.value,
            values=len(values),
        )
    if valid_to <= valid_from:
        raise InvalidInput(
            "data_share_period_invalid",
            "A data share's period must end after it starts.",
            valid_from=valid_from.isoformat(),
            valid_to=valid_to.isoformat(),
        )


def check_approver(approver_id: str, role: Role | None) -> None:
    """Only a manager approves (or revokes) a hand-over of customer data (152)."""
    if role is not Role.MANAGER:
        raise RuleViolation(
            "data_share_approver_not_manager",
            f"A data share is approved or revoked by a manager; {approver_id} is not a manager.",
            approver=approver_id,
            rule="data_share",
        )


def check_four_eyes(share_id: str, requester: str, approver: str) -> None:
    """The manager who asks to hand customer data over never approves it too: otherwise one
    person decides alone where the company's customers go (152)."""
    if requester == approver:
        raise RuleViolation(
            "data_share_self_approval",
            f"Data share {share_id} was requested by {approver}; another manager must approve it.",
            share_id=share_id,
            approver=approver,
            rule="data_share",
        )


def check_pending(share_id: str, approved: bool, revoked: bool) -> None:
    if approved or revoked:
        state = "revoked" if revoked else "already approved"
        raise RuleViolation(
            "data_share_not_pending",
            f"Data share {share_id} is {state}; only a pending request can be approved.",
            share_id=share_id,
            rule="data_share",
        )


def check_not_revoked(share_id: str, revoked: bool) -> None:
    if revoked:
        raise RuleViolation(
            "data_share_already_revoked",
            f"Data share {share_id} was already revoked.",
            share_id=share_id,
            rule="data_share",
        )


def check_export_request(customer_ids: list[str], recipient: str, purpose: str) -> None:
    if not customer_ids:
        raise InvalidInput("data_export_no_customers", "An export must name its customers.")
    if not recipient.strip() or not purpose.strip():
        raise InvalidInput(
            "data_export_terms_missing", "An export must name its recipient and its purpose."
        )


def in_scope(share: ShareFacts, item: Item) -> bool:
    if share.scope is ShareScope.CUSTOMERS:
        return item.customer_id in share.scope_values
    if share.scope is ShareScope.HOLDER:
        return item.holder is not None and item.holder in share.scope_values
    return item.area is not None and item.area in share.scope_values


def check_covers(
    share: ShareFacts, recipient: str, purpose: str, items: list[Item], at: datetime
) -> None:
    """The share is approved, in force at `at`, for this recipient and purpose, and covers all."""
    sid = share.share_id
    if share.revoked:
        refuse("data_share_revoked", f"Data share {sid} was revoked.", sid)
    if not share.approved:
        refuse("data_share_not_approved", f"Data share {sid} is not approved by a manager.", sid)
    if not share.valid_from <= at < share.valid_to:
        refuse(
            "data_share_out_of_period",
            f"Data share {sid} is valid from {share.valid_from.isoformat()} to "
            f"{share.valid_to.isoformat()}, not at {at.isoformat()}.",
            sid,
        )
    if key(share.recipient) != key(recipient):
        refuse("data_share_other_recipient", f"Data share {sid} is for {share.recipient}.", sid)
    if key(share.purpose) != key(purpose):
        refuse("data_share_other_purpose", f"Data share {sid} is for '{share.purpose}'.", sid)
    outside = sorted(i.customer_id for i in items if not in_scope(share, i))
    if outside:
        refuse(
            "data_share_scope_exceeded",
            f"{len(outside)} of the customers are outside data share {sid}'s scope.",
            sid,
            outside=outside,
        )


def choose_share(
    shares: list[ShareFacts], recipient: str, purpose: str, items: list[Item], at: datetime
) -> ShareFacts:
    """The first share (newest first) that covers the export; else the newest share's refusal."""
    if not shares:
        raise AccessDenied(
            "data_export_without_share",
            f"No manager-approved data share covers handing customer data to {recipient}; "
            "the attempt was recorded (SEED-RULES 43, 152).",
            recipient=recipient,
            rule="private_use",
        )
    first: AccessDenied | None = None
    for share in shares:
        try:
            check_covers(share, recipient, purpose, items, at)
        except AccessDenied as refusal:
            first = first or refusal
            continue
        return share
    assert first is not None
    raise first


def refuse(code: str, sentence: str, share_id: str, **params: object) -> None:
    raise AccessDenied(
        code,
        f"{sentence} The export is refused and the attempt was recorded (SEED-RULES 43, 152).",
        share_id=share_id,
        rule="private_use",
        **params,
    )


def check_can_record_violation(actor_id: str, role: Role | None, staff_id: str) -> None:
    """A manager records a violation, never their own (47–49)."""
    if role is not Role.MANAGER:
        raise RuleViolation(
            "violation_not_authorised",
            f"Violations of the private-use rules are recorded by a manager; {actor_id} is not.",
            actor=actor_id,
            rule="private_use",
        )
    if actor_id == staff_id:
        raise RuleViolation(
            "violation_self",
            "A manager may not record a violation against themself; ask another manager.",
            actor=actor_id,
            rule="private_use",
        )


def check_violation_terms(description: str, severity: Severity, has_plan: bool) -> None:
    """A violation says what the person did; only a termination carries a departure plan."""
    if not description.strip():
        raise InvalidInput(
            "violation_description_missing", "A violation must say what the person did."
        )
    if has_plan and severity is not Severity.MALICIOUS:
        raise InvalidInput(
            "violation_plan_without_termination",
            "Only a malicious violation ends employment; a customer plan belongs to it alone.",
            severity=severity.value,
        )


def check_finding(finding: str) -> None:
    if not finding.strip():
        raise InvalidInput(
            "investigation_finding_missing", "An investigation is closed with its finding."
        )


def check_investigation_open(violation_id: str, state: str | None) -> None:
    if state != "open":
        raise RuleViolation(
            "investigation_not_open",
            f"Violation {violation_id} has no open investigation to close.",
            violation_id=violation_id,
            state=state or "none",
            rule="private_use",
        )


def key(text: str) -> str:
    """`Ping An Insurance ` and `ping an insurance` name one recipient; so for purposes."""
    return " ".join(text.split()).casefold()
