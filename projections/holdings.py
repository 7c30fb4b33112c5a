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
    params = {"c": customer_id, "t": ts(at), "r": ts(recorded), "forever": FOREVER, "p": position}
    overlapped = tx.all(
        "SELECT holder, valid_from FROM ledger_rm_holding WHERE customer_id=:c "
        "AND superseded_at=:forever AND valid_to>:t",
        params,
    )
    tx.execute(
        "UPDATE ledger_rm_holding SET superseded_at=:r WHERE customer_id=:c "
        "AND superseded_at=:forever AND valid_to>:t",
        params,
    )
    for row in overlapped:
        if row["valid_from"] < params["t"]:
            tx.execute(INSERT, {**params, "holder": row["holder"], "valid_from": row["valid_from"], "valid_to": params["t"]})  # fmt: skip
    tx.execute(INSERT, {**params, "holder": holder, "valid_from": params["t"], "valid_to": FOREVER})


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
