"""Chain-of-custody export: every ownership event of a customer or a period, with its proof.

Built from the stored events (the truth), not from the read models. Each row carries its place
in the hash chain of `projections/chain.py` (position, the link before it, its own link) and the
bytes as stored, so a reviewer can recompute every link without the ledger. The export names
the chain head at export time and says whether every exported link recomputes and whether the
whole chain verifies from its start to that head.

A long period comes in pages cut in the log's order, so a page never moves under a reader: the
first `limit` events of the scope at positions after `after`, with the proof and policies of
those events, and `next`, the position the following page starts after (None on the last). Rows
within a page keep the export's order (business time, then position).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from ledger.clock import aware, utcnow
from ledger.customer import Customer
from ledger.enums import TransferReason
from ledger.errors import InvalidInput, NotFound
from ledger.policy import Policy, PolicyParams
from ledger.roster import LeadRoster
from ledger.service import LedgerService
from ledger.staff import Staff
from projections.chain import GENESIS, ChainHead, Link, catch_up, next_link, verify
from projections.guard import CHAIN_TABLE, guarded_store

PAGE = 2000
CUSTOMER_EVENTS = (
    Customer.Registered, Customer.Graded, Customer.Assigned, Customer.Reassigned,
    Customer.Released, Customer.TransferRequested, Customer.TransferRejected,
)  # fmt: skip
CONTEXT = (Staff.Joined, Policy.Adopted, LeadRoster.LeadAllocated)
METHOD = (
    "link(n) = sha256(link(previous) || bytes(n)), starting from 32 zero bytes; bytes(n) is five "
    "fields, each a 4-byte big-endian length and the value: the position (8 bytes, big-endian), "
    "the originator id (UTF-8), the originator version (8 bytes, big-endian), the topic (UTF-8) "
    "and the stored state (given here in base64)."
)
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Scope:
    """One customer (all its history, or a period of it), or every customer in a period."""

    customer_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def checked(self) -> Scope:
        customer_id = None if self.customer_id is None else _customer_id(self.customer_id)
        start = bound(self.start, "from") if self.start else None
        end = bound(self.end, "to") if self.end else None
        if customer_id is None and (start is None or end is None):
            raise InvalidInput(
                "export_scope_missing",
                "Name a customer, or a period with both a start (from) and an end (to).",
            )
        if start and end and start >= end:
            raise InvalidInput(
                "period_empty", "The period's start (from) must come before its end (to).",
                start=start.isoformat(), end=end.isoformat(),
            )  # fmt: skip
        return replace(self, customer_id=customer_id, start=start, end=end)

    def covers(self, customer_id: str, at: datetime) -> bool:
        return (
            self.customer_id in (None, customer_id)
            and (self.start is None or at >= self.start)
            and (self.end is None or at < self.end)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def bound(at: datetime, name: str) -> datetime:
    """A period's bound in UTC; a time that UTC cannot hold is refused, not a crash."""
    try:
        return aware(at, name)
    except OverflowError:
        raise InvalidInput(
            "time_out_of_range", f"{name} lies outside the calendar in UTC.", field=name
        ) from None


def _customer_id(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        raise NotFound("unknown_customer", f"No customer with id {text}.", id=text) from None


@dataclass(frozen=True)
class CustodyExport:
    scope: Scope
    exported_at: datetime
    head: ChainHead | None
    verification: dict[str, Any]
    events: Rows
    policies: Rows
    after: int = 0
    next_after: int | None = None  # where the next page starts, None on the last

    @property
    def verified(self) -> bool:
        return bool(self.verification["verified"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "export": "chain_of_custody",
            "scope": self.scope.to_dict(),
            "exported_at": self.exported_at.isoformat(),
            "chain_head": self.head.to_dict() if self.head else None,
            "verification": self.verification,
            "events": self.events,
            "policies": self.policies,
            "after": self.after,
            "next": self.next_after,
        }


@dataclass
class _Found:
    """What one pass over the log found: the events in scope and the names and policies."""

    events: list[tuple[Notification, Any]] = field(default_factory=list)
    staff: dict[str, str] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)
    policies: dict[int, tuple[Notification, Policy.Adopted]] = field(default_factory=dict)
    unreadable: list[int] = field(default_factory=list)

    def take(self, n: Notification, e: Any, scope: Scope) -> None:
        if e is None:  # its stored bytes no longer decode: it can only be named, and fails
            if scope.customer_id in (None, str(n.originator_id)):
                self.unreadable.append(n.id)
        elif isinstance(e, Staff.Joined):
            self.staff[str(e.originator_id)] = e.name
        elif isinstance(e, Policy.Adopted):
            self.policies[e.version] = (n, e)
        else:
            cid = e.customer_id if isinstance(e, LeadRoster.LeadAllocated) else str(e.originator_id)
            if isinstance(e, Customer.Registered):
                self.customers[cid] = e.name
            if scope.covers(cid, e.occurred_at):
                self.events.append((n, e))

    def name(self, staff_id: str | None) -> str | None:
        return None if staff_id is None else self.staff.get(staff_id, staff_id)

    def keep_page(self, after: int, limit: int | None) -> int | None:
        """Keeps the first `limit` events after `after`, still in the log's order, and the
        unreadable positions among them; returns where the next page starts, if any is left.

        Names and policy versions still come from the whole log: a page's rows read as they do
        in the whole export.
        """
        events = [(n, e) for n, e in self.events if n.id > after]
        self.events = events[:limit]
        end = self.events[-1][0].id if limit is not None and len(events) > limit else None
        self.unreadable = [p for p in self.unreadable if p > after and (end is None or p <= end)]
        return end


def build_export(
    app: LedgerService,
    scope: Scope,
    whole_chain: bool = True,
    at: datetime | None = None,
    after: int = 0,
    limit: int | None = None,
) -> CustodyExport:
    """Link any new events, read the events in scope, and check their links (and the chain).

    With a `limit` (at least 1), one page of them: those after the log position `after`.
    """
    scope = scope.checked()
    head = catch_up(app)
    found = _Found()
    for n, e in _scan(app, scope, head.position if head else 0):
        found.take(n, e, scope)
    if scope.customer_id is not None and scope.customer_id not in found.customers:
        raise NotFound(
            "unknown_customer", f"No customer with id {scope.customer_id}.", id=scope.customer_id
        )
    next_after = found.keep_page(after, limit)
    versions = {v for _, e in found.events if (v := _version(e)) is not None}
    applied = [found.policies[v] for v in sorted(versions) if v in found.policies]
    proofs = _proofs(app, [n for n, _ in found.events] + [n for n, _ in applied])
    found.events.sort(key=lambda ne: (ne[1].occurred_at, ne[0].id))
    events = [_event_row(e, found) | proofs[n.id] for n, e in found.events]
    policies = [_policy_row(e, found) | proofs[n.id] for n, e in applied]
    if 0 in versions:
        policies.insert(0, _default_policy_row())
    checked = _verification(app, proofs, found.unreadable, whole_chain)
    exported_at = at or utcnow()
    return CustodyExport(scope, exported_at, head, checked, events, policies, after, next_after)


def _scan(app: LedgerService, scope: Scope, stop: int) -> Iterator[tuple[Notification, Any]]:
    """The linked events of the kinds exported; another customer's events are not decoded."""
    customer_topics = {get_topic(c) for c in CUSTOMER_EVENTS}
    topics = sorted(customer_topics | {get_topic(c) for c in CONTEXT})
    start = 1
    while stop and (
        page := app.recorder.select_notifications(start, PAGE, stop=stop, topics=topics)
    ):
        for n in page:
            elsewhere = scope.customer_id not in (None, str(n.originator_id))
            if not (elsewhere and n.topic in customer_topics):
                yield n, _decoded(app, n)
        start = page[-1].id + 1


def _decoded(app: LedgerService, n: Notification) -> Any:
    try:
        return app.mapper.to_domain_event(n)
    except (ValueError, KeyError, TypeError):
        return None


def _version(e: Any) -> int | None:
    version = getattr(e, "policy_version", None)
    return version if isinstance(version, int) else None


# --- the rows -----------------------------------------------------------------------------


def _event_row(e: Any, found: _Found) -> dict[str, Any]:
    row: dict[str, Any] = {
        "occurred_at": e.occurred_at.isoformat(), "recorded_at": e.timestamp.isoformat(),
        "event": type(e).__qualname__, "kind": "", "customer_id": str(e.originator_id),
        "actor": e.by, "actor_name": found.name(e.by), "from_holder": None, "to_holder": None,
        "tier": None, "reason": None, "note": None, "rule": None, "policy_version": None,
        "approver": None, "request_id": None, "override": False, "exceptions": [], "details": {},
    }  # fmt: skip
    row |= ROWS[type(e)](e)
    row["customer"] = found.customers.get(row["customer_id"])
    for key in ("from_holder", "to_holder", "approver"):
        row[f"{key.split('_')[0]}_name"] = found.name(row[key])
    row["exceptions"] = [x | {"by_name": found.name(x.get("by"))} for x in row["exceptions"]]
    if "pool" in row["details"]:
        pool = row["details"]["pool"]
        row["details"]["pool"] = [m | {"name": found.name(m["staff_id"])} for m in pool]
    return row


def _registered(e: Customer.Registered) -> dict[str, Any]:
    details = {"source": e.source.value, "channel": e.channel, "area": e.area}
    if e.source_ref is not None:
        details["source_ref"] = e.source_ref
    return {"kind": "registered", "details": details}


def _graded(e: Customer.Graded) -> dict[str, Any]:
    return {
        "kind": "graded", "tier": e.tier.value, "reason": e.reason, "rule": "grading",
        "policy_version": e.policy_version, "details": {"inputs": e.inputs},
    }  # fmt: skip


def _assigned(e: Customer.Assigned) -> dict[str, Any]:
    return {
        "kind": "assigned", "to_holder": e.holder, "rule": e.rule, "reason": e.reason,
        "policy_version": e.policy_version, "override": e.override, "exceptions": e.exceptions,
    }  # fmt: skip


def _reassigned(e: Customer.Reassigned) -> dict[str, Any]:
    return {
        "kind": "rotated" if e.reason_code is TransferReason.ROTATION else "reassigned",
        "from_holder": e.from_holder, "to_holder": e.to_holder, "reason": e.reason_code.value,
        "note": e.note, "rule": e.rule, "policy_version": e.policy_version,
        "approver": e.approver, "request_id": e.request_id, "exceptions": e.exceptions,
    }  # fmt: skip


def _released(e: Customer.Released) -> dict[str, Any]:
    return {
        "kind": "released", "from_holder": e.from_holder, "reason": e.reason_code.value,
        "note": e.note, "rule": e.rule, "policy_version": e.policy_version,
    }  # fmt: skip


def _requested(e: Customer.TransferRequested) -> dict[str, Any]:
    return {
        "kind": "transfer_requested", "from_holder": e.from_holder, "to_holder": e.to_holder,
        "reason": e.reason_code.value, "note": e.note, "request_id": e.request_id,
        "rule": "a_tier_approval",
    }  # fmt: skip


def _rejected(e: Customer.TransferRejected) -> dict[str, Any]:
    return {
        "kind": "transfer_rejected", "reason": e.reason, "request_id": e.request_id,
        "approver": e.by, "rule": "a_tier_approval",
    }  # fmt: skip


def _allocated(e: LeadRoster.LeadAllocated) -> dict[str, Any]:
    details = {"pool": e.pool, "credits_before": e.credits_before, "credits_after": e.credits_after}
    return {
        "kind": "lead_allocated", "customer_id": e.customer_id, "to_holder": e.chosen,
        "tier": e.tier, "rule": "lead_allocator", "policy_version": e.policy_version,
        "details": details,
    }  # fmt: skip


ROWS: dict[type, Callable[[Any], dict[str, Any]]] = {
    Customer.Registered: _registered,
    Customer.Graded: _graded,
    Customer.Assigned: _assigned,
    Customer.Reassigned: _reassigned,
    Customer.Released: _released,
    Customer.TransferRequested: _requested,
    Customer.TransferRejected: _rejected,
    LeadRoster.LeadAllocated: _allocated,
}


def _policy_row(e: Policy.Adopted, found: _Found) -> dict[str, Any]:
    return {
        "version": e.version, "effective_at": e.effective_at.isoformat(), "reason": e.reason,
        "adopted_by": e.by, "adopted_by_name": found.name(e.by), "params": e.params,
    }  # fmt: skip


def _default_policy_row() -> dict[str, Any]:
    return {
        "version": 0, "effective_at": None, "adopted_by": None, "adopted_by_name": None,
        "reason": "the ledger's defaults, before any version was adopted",
        "params": PolicyParams().to_dict(), "position": None, "link": None, "link_ok": None,
    }  # fmt: skip


# --- the proof ------------------------------------------------------------------------------


def _proofs(app: LedgerService, notifications: list[Notification]) -> dict[int, dict[str, Any]]:
    """Each event's stored link, the link before it, and whether the link recomputes."""
    links = _stored_links(app, {n.id for n in notifications})
    links |= _stored_links(app, {k.previous for k in links.values()} - set(links) - {0})
    proofs = {}
    for n in notifications:
        link = links.get(n.id)
        before = links.get(link.previous) if link and link.previous else None
        previous = bytes.fromhex(before.link) if before else GENESIS
        ok = (
            link is not None
            and (link.previous == 0 or before is not None)
            and (link.originator_id, link.originator_version)
            == (str(n.originator_id), n.originator_version)
            and next_link(previous, n).hex() == link.link
        )
        proofs[n.id] = {
            "position": n.id, "seq": link.seq if link else None,
            "previous_position": link.previous if link else None,
            "previous_link": previous.hex(), "link": link.link if link else None, "link_ok": ok,
            "originator_id": str(n.originator_id), "originator_version": n.originator_version,
            "topic": n.topic, "state": base64.b64encode(bytes(n.state)).decode(),
        }  # fmt: skip
    return proofs


def _stored_links(app: LedgerService, positions: set[int]) -> dict[int, Link]:
    """Rows of the chain table at these positions, a few hundred per query."""
    store = guarded_store(app)
    if store is None or not positions:
        return {}
    postgres = store.kind == "postgres"
    table = f'"{store.schema}"."{CHAIN_TABLE}"' if postgres else CHAIN_TABLE
    wanted, found = sorted(positions), {}
    with store.datastore.transaction(commit=False) as cursor:
        for i in range(0, len(wanted), 500):
            batch = wanted[i : i + 500]
            marks = ", ".join(["%s" if postgres else "?"] * len(batch))
            cursor.execute(
                "SELECT notification_id, previous_id, seq, originator_id, originator_version, "
                f"link FROM {table} WHERE notification_id IN ({marks})",
                batch,
            )
            for r in cursor.fetchall():
                found[int(r["notification_id"])] = Link(
                    int(r["notification_id"]), int(r["previous_id"]), int(r["seq"]),
                    str(r["originator_id"]), int(r["originator_version"]), str(r["link"]),
                )  # fmt: skip
    return found


def _verification(
    app: LedgerService, proofs: dict[int, dict[str, Any]], unreadable: list[int], whole_chain: bool
) -> dict[str, Any]:
    bad = sorted(p for p, proof in proofs.items() if not proof["link_ok"])
    chain = verify(app) if whole_chain else None
    return {
        "method": METHOD,
        "links_checked": len(proofs),
        "links_ok": not bad,
        "bad_positions": bad[:20],
        "unreadable_positions": unreadable[:20],
        "chain_checked": chain.checked if chain else None,
        "chain_intact": chain.intact if chain else None,
        "chain_break": asdict(chain.broken) if chain and chain.broken else None,
        "verified": not bad and not unreadable and (chain is None or chain.intact),
    }
