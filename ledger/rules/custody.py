"""Exactly one holder at a time: assign the unheld, move the held, never to the same person."""

from __future__ import annotations

from ledger.errors import RuleViolation


def check_unheld(customer_id: str, holder: str | None) -> None:
    if holder is not None:
        raise RuleViolation(
            "already_held",
            f"Customer {customer_id} is already held by {holder}; reassign it instead.",
            customer_id=customer_id,
            holder=holder,
        )


def check_held(customer_id: str, holder: str | None) -> str:
    if holder is None:
        raise RuleViolation(
            "customer_not_held",
            f"Customer {customer_id} is in the company pool; assign it instead.",
            customer_id=customer_id,
        )
    return holder


def check_new_holder(customer_id: str, holder: str | None, to_holder: str) -> None:
    if holder == to_holder:
        raise RuleViolation(
            "same_holder",
            f"Customer {customer_id} is already held by {to_holder}.",
            customer_id=customer_id,
            holder=to_holder,
        )
