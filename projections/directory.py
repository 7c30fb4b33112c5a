"""Finding a customer or a staff member by name: the lists behind `GET /customers`, `GET /staff`,
`ledger staff list` and the dashboard's search box.

Pages are cut by a cursor (`after`, the last row's name and id, opaque to the caller) so a page
never repeats or skips a row while others are added; a customer list holds only the files its
reader may open (`projections.scope`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from projections.store import Tx

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None  # the cursor of the page after this one, None on the last


def cursor(row: dict[str, Any], key: str) -> str:
    raw = json.dumps([row["name"], row[key]], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def after_of(text: str | None) -> tuple[str, str] | None:
    """The (name, id) a cursor stands for; None for the first page or a cursor not ours."""
    if not text:
        return None
    try:
        name, key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return str(name), str(key)
    except (ValueError, TypeError):
        return None


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching(name: str, q: str, equal: dict[str, str | None]) -> tuple[list[str], dict[str, Any]]:
    """The WHERE terms of a search: a part of the name, and each column given a value."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if q:
        where.append(f"lower({name}) LIKE :q ESCAPE '\\'")
        params["q"] = _like(q)
    for n, (column, value) in enumerate(equal.items()):
        if value:
            where.append(f"{column} = :v{n}")
            params[f"v{n}"] = value
    return where, params


def _page(
    tx: Tx,
    sql: str,
    where: list[str],
    params: dict[str, Any],
    key: str,
    limit: int,
    after: str | None,
    allowed: frozenset[str] | None,
) -> Page:
    start = after_of(after)
    if start is not None:
        where.append(f"(lower(name) > :an OR (lower(name) = :an AND {key} > :ak))")
        params |= {"an": start[0].lower(), "ak": start[1]}
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows: list[dict[str, Any]] = []
    offset = 0
    while len(rows) <= limit:  # a reader's scope thins a batch: read on until a page is full
        batch = tx.all(
            f"{sql}{clause} ORDER BY lower(name), {key} LIMIT :n OFFSET :o",
            params | {"n": limit + 1, "o": offset},
        )
        rows += [r for r in batch if allowed is None or r[key] in allowed]
        if len(batch) <= limit:
            break
        offset += len(batch)
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, cursor(items[-1], key) if more and items else None)


def staff_list(
    tx: Tx,
    q: str = "",
    team: str | None = None,
    role: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> Page:
    """Staff by name (a part of it, any case), team and role."""
    where, params = _matching("name", q, {"team": team, "role": role})
    sql = "SELECT staff_id, name, role, seniority, team, area, status FROM ledger_rm_staff"
    return _page(tx, sql, where, params, "staff_id", min(limit, MAX_LIMIT), after, None)


def customer_list(
    tx: Tx,
    allowed: frozenset[str] | None,
    q: str = "",
    holder: str | None = None,
    team: str | None = None,
    tier: str | None = None,
    pool: bool | None = None,
    after: str | None = None,
    limit: int = 100,
) -> Page:
    """Customers by name, holder, the holder's team, tier, and whether in the company pool."""
    where, params = _matching("c.name", q, {"c.holder": holder, "s.team": team, "c.tier": tier})
    if pool is not None:
        where.append("c.holder IS NULL" if pool else "c.holder IS NOT NULL")
    sql = (
        "SELECT * FROM (SELECT c.customer_id, c.name, c.tier, c.holder, s.name AS holder_name, "
        "s.team AS team, c.held_since, c.source_ref FROM ledger_rm_customer c "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = c.holder"
    )
    inner = f" WHERE {' AND '.join(where)}" if where else ""
    return _page(
        tx,
        f"{sql}{inner}) AS listed",
        [],
        params,
        "customer_id",
        min(limit, MAX_LIMIT),
        after,
        allowed,
    )
