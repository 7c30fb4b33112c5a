"""Bitemporal holding intervals: who held a customer over business time, as known at record time.

Each row says "from `valid_from` until `valid_to` (business time) the holder was H", believed
from `recorded_at` until `superseded_at` (record time). The rows current at any record time
partition business time from the customer's first fact onwards, so "holder of X at T as known at
R" is the visible row with the greatest `valid_from <= T`: one descent of the
(customer_id, valid_from) index.

A custody fact recorded at r with business time t decides the holder for [t, forever) as known
from r on: the Customer aggregate applies facts in record order, so its holder now is the latest
recorded fact's, whatever its business time. Rows it overlaps are superseded (never deleted) and
the part of a row before t is recorded again, so answers "as known at R" for R before r stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projections.schema import FOREVER, parse_ts, ts
from projections.store import Tx

INSERT = (
    "INSERT INTO ledger_rm_holding (customer_id, holder, valid_from, valid_to, recorded_at, "
    "superseded_at, position) VALUES (:c, :holder, :valid_from, :valid_to, :r, :forever, :p)"
)
HOLDER_AT = (
    "SELECT holder, valid_from, valid_to FROM ledger_rm_holding WHERE customer_id=:c "
    "AND valid_from<=:t AND recorded_at<=:r AND superseded_at>:r "
    "ORDER BY valid_from DESC LIMIT 1"
)
BOOK_AT = (
    "SELECT customer_id, valid_from, valid_to FROM ledger_rm_holding WHERE holder=:h "
    "AND valid_from<=:t AND valid_to>:t AND recorded_at<=:r AND superseded_at>:r "
    "ORDER BY customer_id"
)


def set_holder(
    tx: Tx, customer_id: str, holder: str | None, at: datetime, recorded: datetime, position: int
) -> None:
    """Record that from business time `at` on, `holder` (None: the company pool) holds it."""
    t = ts(at)
    params = {"c": customer_id, "t": t, "r": ts(recorded), "forever": FOREVER, "p": position}
    current = _current_rows(tx, customer_id)
    overlapped = [row for row in current if row[2] > t]
    kept = [row for row in current if row[2] <= t]
    if overlapped:
        tx.execute(
            "UPDATE ledger_rm_holding SET superseded_at=:r WHERE customer_id=:c "
            "AND superseded_at=:forever AND valid_to>:t",
            params,
        )
    for was, valid_from, _ in overlapped:
        if valid_from < t:
            tx.insert_later("ledger_rm_holding", INSERT, {**params, "holder": was, "valid_from": valid_from, "valid_to": t})  # fmt: skip
            kept.append((was, valid_from, t))
    tx.insert_later("ledger_rm_holding", INSERT, {**params, "holder": holder, "valid_from": t, "valid_to": FOREVER})  # fmt: skip
    kept.append((holder, t, FOREVER))
    tx.memo[("holding", customer_id)] = kept


def first_holding(tx: Tx, customer_id: str) -> None:
    """A customer just registered has no holding rows yet: nothing to read back."""
    tx.memo[("holding", customer_id)] = []


def _current_rows(tx: Tx, customer_id: str) -> list[tuple[str | None, str, str]]:
    """The customer's rows believed now, as (holder, valid_from, valid_to); remembered for the
    transaction, since `set_holder` is the only writer of the table."""
    key = ("holding", customer_id)
    if key not in tx.memo:
        rows = tx.all(
            "SELECT holder, valid_from, valid_to FROM ledger_rm_holding WHERE customer_id=:c "
            "AND superseded_at=:forever",
            {"c": customer_id, "forever": FOREVER},
        )
        tx.memo[key] = [(r["holder"], r["valid_from"], r["valid_to"]) for r in rows]
    current: list[tuple[str | None, str, str]] = tx.memo[key]
    return current


@dataclass(frozen=True)
class HeldInterval:
    holder: str | None
    valid_from: datetime
    valid_to: datetime | None


def holder_at(tx: Tx, customer_id: str, at: datetime, known_at: datetime) -> HeldInterval | None:
    """The interval containing business time `at` as the ledger knew it at `known_at`."""
    row = tx.one(HOLDER_AT, {"c": customer_id, "t": ts(at), "r": ts(known_at)})
    if row is None or row["valid_to"] <= ts(at):
        return None
    return _interval(row)


def book_at(tx: Tx, holder: str, at: datetime, known_at: datetime) -> list[tuple[str, datetime]]:
    """(customer, held since) for every customer `holder` held at `at`, as known at `known_at`."""
    rows = tx.all(BOOK_AT, {"h": holder, "t": ts(at), "r": ts(known_at)})
    return [(row["customer_id"], parse_ts(row["valid_from"])) for row in rows]


def _interval(row: dict[str, str]) -> HeldInterval:
    end = None if row["valid_to"] == FOREVER else parse_ts(row["valid_to"])
    return HeldInterval(row["holder"], parse_ts(row["valid_from"]), end)


HELD_AT = (
    "SELECT customer_id, holder FROM ledger_rm_holding WHERE holder IS NOT NULL "
    "AND valid_from<=:t AND valid_to>:t AND recorded_at<=:r AND superseded_at>:r"
)
TIERS_AT = (
    "SELECT customer_id, tier FROM ledger_rm_grade WHERE occurred_at<=:t AND recorded_at<=:r "
    "ORDER BY customer_id, occurred_at, position"
)


def held_at(tx: Tx, at: datetime, known_at: datetime) -> dict[str, str]:
    """Every customer held at business time `at`, with its holder, as known at `known_at`."""
    rows = tx.all(HELD_AT, {"t": ts(at), "r": ts(known_at)})
    return {row["customer_id"]: row["holder"] for row in rows}


def tiers_at(tx: Tx, at: datetime, known_at: datetime) -> dict[str, str]:
    """Each customer's tier at `at`: its last grading by then, as known at `known_at`."""
    return {r["customer_id"]: r["tier"] for r in tx.all(TIERS_AT, {"t": ts(at), "r": ts(known_at)})}
