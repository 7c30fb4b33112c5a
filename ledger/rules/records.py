"""Record discipline: late entries, non-company channels, hand-off drift, grading evidence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ledger.enums import CallbackOutcome, ContactKind, Role
from ledger.errors import InvalidInput, RuleViolation

FINANCIAL = frozenset({"value", "revenue", "profit"})
TRIP_PURPOSES = frozenset({"sales", "after_sales"})
TRIP_FIELDS = frozenset({"met", "decision_maker_met", "needs", "key_information", "next_step"})
GRADE_INPUTS = frozenset({"value", "potential", "loyalty", "revenue", "profit", "usage"})


def is_late(occurred_at: datetime, recorded_at: datetime, late_entry_days: int) -> bool:
    """Recorded more than N days after it happened (rules 14–15): accepted, and flagged."""
    return recorded_at - occurred_at > timedelta(days=late_entry_days)


def is_handoff_drift(kind: ContactKind, staff_id: str, holder: str | None, contracts: int) -> bool:
    """Service work done by the sales holder after the contract belongs to after-sales (34–35)."""
    return kind is ContactKind.SERVICE and staff_id == holder and contracts > 0


def check_company_channel(address: str, registered: bool) -> None:
    """A customer's channel to the company must be company-owned, never a private line (38–40)."""
    if not registered:
        raise RuleViolation(
            "private_channel_refused",
            f"{address} is not a registered company number or mailbox; a customer's channel to "
            "the company must be company-owned (SEED-RULES 38–40).",
            address=address,
            rule="company_channels",
        )


def check_grading_evidence(inputs: dict[str, Any]) -> None:
    """A grade rests on value, revenue or profit, not on how often the customer used the service
    (105); potential and loyalty count beside them, never alone."""
    unknown = sorted(set(inputs) - GRADE_INPUTS)
    if unknown:
        raise RuleViolation(
            "grading_unknown_input",
            f"Grading inputs are {', '.join(sorted(GRADE_INPUTS))}; not {', '.join(unknown)}.",
            unknown=unknown,
            rule="grading",
        )
    if not FINANCIAL & set(inputs):
        raise RuleViolation(
            "grading_without_financial_evidence",
            "A grade needs value, revenue or profit among its inputs; usage counts alone are "
            "not evidence of a customer's worth (SEED-RULES 56, 61, 105).",
            given=sorted(inputs),
            rule="grading",
        )


def check_role(actor_id: str, role: Role | None, allowed: frozenset[Role], step: str) -> None:
    """Each step of a record workflow belongs to one kind of staff (23–27, 28–33, 154)."""
    if role not in allowed:
        held = role.value if role else "not a staff member"
        raise RuleViolation(
            "wrong_role_for_step",
            f"Only {' or '.join(sorted(r.value for r in allowed))} may {step}; {actor_id} is {held}.",
            actor=actor_id,
            role=held,
            allowed=sorted(r.value for r in allowed),
            rule="record_workflows",
        )


def check_purpose(purpose: str) -> None:
    if purpose not in TRIP_PURPOSES:
        raise InvalidInput(
            "trip_purpose_unknown",
            f"A trip is for {' or '.join(sorted(TRIP_PURPOSES))}, not {purpose!r}.",
            purpose=purpose,
        )


def check_trip_changes(changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - TRIP_FIELDS)
    if not changes or unknown:
        raise InvalidInput(
            "trip_amendment_invalid",
            f"An amendment changes some of {', '.join(sorted(TRIP_FIELDS))}; got {sorted(changes)}.",
            unknown=unknown,
        )


def check_callback(
    caller_id: str,
    caller_role: Role,
    interested: set[str | None],
    outcome: CallbackOutcome,
    satisfaction: int | None,
    differences: str,
) -> None:
    """A callback is independent: the phone team, never the person checked or the holder (28–31)."""
    if caller_role is not Role.CALLBACK:
        raise RuleViolation(
            "callback_not_callback_team",
            f"Callbacks are made by the callback team; {caller_id} is {caller_role.value} "
            "(SEED-RULES 28–31).",
            caller=caller_id,
            rule="callbacks",
        )
    if caller_id in interested:
        raise RuleViolation(
            "callback_not_independent",
            f"{caller_id} made or holds what is being verified and cannot verify it.",
            caller=caller_id,
            rule="callbacks",
        )
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise InvalidInput(
            "satisfaction_out_of_range",
            f"Satisfaction is scored 1 to 5, not {satisfaction}.",
            satisfaction=satisfaction,
        )
    if outcome is CallbackOutcome.DISCREPANCY and not differences.strip():
        raise InvalidInput(
            "discrepancy_without_detail",
            "A discrepancy says what differed from the record.",
            caller=caller_id,
        )
