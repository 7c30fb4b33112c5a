"""The as-of holder query reads a bounded number of rows, however long the customer's history."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from ledger.application import OwnershipLedger
from ledger.enums import TransferReason
from projections.holdings import HOLDER_AT
from projections.readmodels import ReadModels
from projections.schema import ts
from projections.store import PostgresReadModels, SQLiteReadModels
from tests.clock import day
from tests.company import standard_company


def customer_with_moves(ledger: OwnershipLedger, moves: int) -> UUID:
    """A customer passed between two reps `moves` times, a day apart."""
    company = standard_company(ledger)
    cid = company.customer(f"Moved {moves}")
    alloc = company.by("alloc")
    ledger.assign_customer(cid, company["senior"], day(1), alloc)
    reps = [company["mid"], company["senior"]]
    for n in range(moves):
        ledger.reassign_customer(cid, reps[n % 2], TransferReason.REBALANCE, day(2 + n), alloc)
    return cid


def sqlite_steps(view: SQLiteReadModels, params: dict[str, Any]) -> int:
    """Virtual-machine instructions SQLite runs for the query: grows with every row it visits."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with view.datastore.get_connection(commit=False) as conn:
        raw = conn._sqlite_conn
        raw.set_progress_handler(count, 1)
        try:
            raw.execute(HOLDER_AT, params).fetchall()
        finally:
            raw.set_progress_handler(None, 1)
    return steps


def postgres_rows(view: PostgresReadModels, params: dict[str, Any]) -> int:
    """Index entries PostgreSQL visits (returned plus filtered out), from EXPLAIN ANALYZE."""
    statement = HOLDER_AT.replace(":c", "%(c)s").replace(":t", "%(t)s").replace(":r", "%(r)s")
    with view.datastore.transaction(commit=False) as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny test tables would be scanned
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()["QUERY PLAN"]  # type: ignore[index]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def visited(node: dict[str, Any]) -> int:
        own = int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
        if "Scan" not in node["Node Type"]:
            own = 0
        return own + sum(visited(child) for child in node.get("Plans", []))

    return visited(plan[0]["Plan"])


def cost(ledger: OwnershipLedger, moves: int) -> int:
    cid = customer_with_moves(ledger, moves)
    models = ReadModels(ledger)
    try:
        models.catch_up()
        middle = day(2 + moves // 2) + (day(1) - day(0)) / 2
        params = {"c": str(cid), "t": ts(middle), "r": ts(day(10_000))}
        view = models.view
        if isinstance(view, SQLiteReadModels):
            return sqlite_steps(view, params)
        assert isinstance(view, PostgresReadModels)
        return postgres_rows(view, params)
    finally:
        models.close()


def test_the_holder_at_an_instant_costs_the_same_for_a_short_and_a_long_history(
    ledger: OwnershipLedger,
) -> None:
    short = cost(ledger, moves=4)
    long = cost(ledger, moves=40)
    assert long == short
