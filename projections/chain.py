"""Tamper evidence: every stored event linked into a SHA-256 hash chain, in the log's order.

link(n) = sha256(link(previous) || canonical bytes of event n), starting from 32 zero bytes
(`ledger/chainhash.py`: the stored state bytes exactly as stored, compressed/encrypted if
configured). The chain links consecutive *present* events: PostgreSQL may skip ids (rolled-back
transactions), so each link records the id it covers and the id of the link before it.

The ledger's recorders store each event's link in the transaction that stores the event
(`ledger/sqliterecorder.py`, `ledger/pgrecorder.py`), so an event edited later no longer matches
its link. `catch_up` links what they have not: events stored before they did.

The links live in the store beside the events (`ledger_chain`), guarded like them. Changing an
event, removing one, or slipping one in between linked events breaks the recomputation at that
position. Someone able to rewrite both the events and every later link can only be caught by
comparing with a head anchored outside the ledger, which is why the head is published.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID
from weakref import WeakSet

from eventsourcing.application import Application
from eventsourcing.persistence import Notification, StoredEvent
from psycopg.sql import SQL, Identifier

from ledger.chainhash import CHAIN_TABLE, extend
from ledger.chainhash import GENESIS as GENESIS  # the custody export imports them from here
from ledger.chainhash import next_link as next_link
from ledger.snapshotseal import MAGIC, SealedSnapshotStore
from ledger.snapshotseal import unsealed as unsealed_state
from projections.guard import GuardedStore, guarded_store, install_guards

PAGE = 1000
_prepared: WeakSet[Any] = WeakSet()  # datastores whose chain table and guards are in place


@dataclass(frozen=True)
class Link:
    """One stored link: the event it covers (by position and originator) and its hash."""

    position: int
    previous: int
    seq: int
    originator_id: str
    originator_version: int
    link: str  # hex


@dataclass(frozen=True)
class ChainHead:
    """The newest link: publish `position` and `link` to anchor the history up to it."""

    position: int
    link: str
    length: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the stored events no longer match the chain."""

    position: int
    originator_id: str
    originator_version: int
    problem: str  # altered | missing | unlinked | relinked | anchor_mismatch | anchor_unknown
    message: str


@dataclass(frozen=True)
class Verification:
    """What `verify` found: links checked, events not linked yet, and the first break if any."""

    checked: int
    head: ChainHead | None
    unlinked_tail: int
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


# --- the chain table ------------------------------------------------------------------


class _Links:
    """The chain table through the application's own connections, on either store."""

    def __init__(self, store: GuardedStore) -> None:
        self.store = store
        self.postgres = store.kind == "postgres"
        self.table = f'"{store.schema}"."{CHAIN_TABLE}"' if self.postgres else CHAIN_TABLE
        self.events_table = store.tables[0]
        self.mark = "%s" if self.postgres else "?"

    def _query(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.store.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement.replace("?", self.mark), params)
            return list(cursor.fetchall())

    def head(self) -> ChainHead | None:
        rows = self._query(
            f"SELECT notification_id, link, seq FROM {self.table} "
            "ORDER BY notification_id DESC LIMIT 1"
        )
        if not rows:
            return None
        row = rows[0]
        return ChainHead(int(row["notification_id"]), str(row["link"]), int(row["seq"]))

    def after(self, position: int, limit: int) -> list[Link]:
        rows = self._query(
            "SELECT notification_id, previous_id, seq, originator_id, originator_version, link "
            f"FROM {self.table} WHERE notification_id > ? ORDER BY notification_id LIMIT ?",
            (position, limit),
        )
        return [
            Link(
                int(r["notification_id"]),
                int(r["previous_id"]),
                int(r["seq"]),
                str(r["originator_id"]),
                int(r["originator_version"]),
                str(r["link"]),
            )
            for r in rows
        ]

    def all(self) -> Iterator[Link]:
        position = 0
        while page := self.after(position, PAGE):
            yield from page
            position = page[-1].position

    def append(self, links: list[Link]) -> None:
        """Store new links; links another process stored first are left as they are.

        On PostgreSQL under a SHARE lock of the events: a writer links new events after
        reading the head under its EXCLUSIVE lock, and these links must not land in between.
        """
        statement = (
            f"INSERT INTO {self.table} (notification_id, previous_id, seq, originator_id, "
            "originator_version, link) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
        ).replace("?", self.mark)
        rows = [
            (k.position, k.previous, k.seq, k.originator_id, k.originator_version, k.link)
            for k in links
        ]
        with self.store.datastore.transaction(commit=True) as cursor:
            if self.postgres:
                self._lock_events(cursor)
            cursor.executemany(statement, rows)

    def settled(self) -> int:
        """The highest notification id below which no event can still appear.

        SQLite has one writer at a time, so ids commit in order. PostgreSQL hands out ids before
        commit, so a later id can commit first: a SHARE lock waits for every inserting
        transaction in flight to finish (and briefly holds new ones back), after which every id
        up to the maximum is final.
        """
        if not self.postgres:
            rows = self._query(f"SELECT max(rowid) AS m FROM {self.events_table}")
            return int(rows[0]["m"] or 0)
        events = Identifier(self.store.schema, self.events_table)
        with self.store.datastore.transaction(commit=True) as cursor:
            self._lock_events(cursor)
            cursor.execute(SQL("SELECT max(notification_id) AS m FROM {}").format(events))
            row = cursor.fetchone()
            return int(row["m"] or 0)

    def _lock_events(self, cursor: Any) -> None:
        events = Identifier(self.store.schema, self.events_table)
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        cursor.execute(SQL("LOCK TABLE {} IN SHARE MODE").format(events))


def _links(app: Application[Any]) -> _Links:
    store = guarded_store(app)
    if store is None:
        raise TypeError("The hash chain needs a stored ledger (SQLite or PostgreSQL).")
    if store.datastore not in _prepared:
        install_guards(app)
        _prepared.add(store.datastore)
    return _Links(store)


def _events(
    app: Application[Any], start: int = 1, stop: int | None = None
) -> Iterator[Notification]:
    while page := app.recorder.select_notifications(start, PAGE, stop=stop):
        yield from page
        start = page[-1].id + 1


# --- the public functions --------------------------------------------------------------


def catch_up(app: Application[Any]) -> ChainHead | None:
    """Link every settled event after the stored head; cheap when nothing is new (the ledger's
    recorders link events as they store them, so only older events are left to link).

    Idempotent and safe from several processes at once: links are a pure function of the
    events, so whoever stores a link first stores the same one.
    """
    links = _links(app)
    settled = links.settled()
    head = links.head()
    while (head.position if head else 0) < settled:
        position = head.position if head else 0
        seq = head.length if head else 0
        previous = bytes.fromhex(head.link) if head else GENESIS
        page = app.recorder.select_notifications(position + 1, PAGE, stop=settled)
        if not page:
            break
        new = [Link(*row) for row in extend(previous, position, seq, page)]
        position = new[-1].position
        links.append(new)
        head = links.head()
        if head is None or head.position < position:
            raise RuntimeError(
                f"The chain could not be extended to position {position}: another link already "
                "follows the head. Run `ledger verify`."
            )
    return head


def chain_head(app: Application[Any], *, link_new: bool = True) -> ChainHead | None:
    """The current head (for `GET /chain/head`), after linking any new events by default."""
    return catch_up(app) if link_new else _links(app).head()


def verify(app: Application[Any], anchors: Mapping[int, str] | None = None) -> Verification:
    """Recompute the chain from the stored events and compare it with the stored links.

    Changes nothing (beyond creating the chain table and guards if this store lacks them).
    Events after the head are counted, not checked (`catch_up` links them).
    `anchors` maps positions to link hashes published earlier; each must still be in the chain.
    """
    links = _links(app)
    wanted = {p: h.lower() for p, h in (anchors or {}).items()}
    events = _events(app)
    event = next(events, None)
    previous, previous_position, checked = GENESIS, 0, 0
    head: ChainHead | None = None

    def broken(problem: str, where: Link | Notification, message: str) -> Verification:
        position = where.position if isinstance(where, Link) else where.id
        found = BrokenLink(
            position, str(where.originator_id), where.originator_version, problem, message
        )
        return Verification(checked, head, 0, found)

    for link in links.all():
        if event is not None and event.id < link.position:
            return broken(
                "unlinked",
                event,
                f"Position {event.id} ({event.originator_id} v{event.originator_version}) lies "
                "inside the chain but was never linked: it was inserted after later events.",
            )
        if event is None or event.id > link.position:
            return broken(
                "missing",
                link,
                f"Position {link.position} ({link.originator_id} v{link.originator_version}) was "
                "linked but its event is gone: a gap where a stored event was deleted.",
            )
        expected = next_link(previous, event)
        if expected.hex() != link.link:
            return broken(
                "altered",
                event,
                f"Position {event.id} ({event.originator_id} v{event.originator_version}) no "
                "longer matches its link: the stored event (or its link) was changed.",
            )
        if link.previous != previous_position or link.seq != checked + 1:
            return broken(
                "relinked",
                link,
                f"The link at position {link.position} (link {link.seq}, after {link.previous}) "
                f"should be link {checked + 1}, after {previous_position}: the chain table was "
                "changed.",
            )
        if link.position in wanted and wanted.pop(link.position) != link.link:
            return broken(
                "anchor_mismatch",
                link,
                f"The link at position {link.position} differs from the anchored hash: the "
                "history up to it was rewritten after it was anchored.",
            )
        previous, previous_position, checked = expected, link.position, checked + 1
        head = ChainHead(link.position, link.link, checked)
        event = next(events, None)
    if wanted:
        position = min(wanted)
        return broken(
            "anchor_unknown",
            Link(position, 0, 0, "-", 0, ""),
            f"The anchored position {position} is not in the chain (the chain ends at "
            f"{head.position if head else 0}): linked history was removed after it was anchored.",
        )
    tail = 0 if event is None else 1 + sum(1 for _ in events)
    return Verification(checked, head, tail, None)


# --- snapshots --------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSeals:
    """What the snapshot check found: sealed ones, ones with no seal, ones whose seal fails."""

    checked: int
    unsealed: list[tuple[str, int]]  # written before seals (or stripped): never used
    broken: list[tuple[str, int]]  # changed after the ledger sealed them: never used

    @property
    def intact(self) -> bool:
        return not self.broken


def check_snapshots(app: Application[Any]) -> SnapshotSeals:
    """Every stored snapshot's seal, a page at a time; changes nothing."""
    store, snapshots = guarded_store(app), app.snapshots
    if store is None or snapshots is None or not isinstance(snapshots, SealedSnapshotStore):
        return SnapshotSeals(0, [], [])
    links = _Links(store)
    table = store.tables[1]
    table = f'"{store.schema}"."{table}"' if links.postgres else table
    checked = 0
    unsealed: list[tuple[str, int]] = []
    broken: list[tuple[str, int]] = []
    columns = f"SELECT originator_id, originator_version, topic, state FROM {table}"
    order = "ORDER BY originator_id, originator_version LIMIT ?"
    rows = links._query(f"{columns} {order}", (PAGE,))
    while True:
        for r in rows:
            originator = UUID(str(r["originator_id"]))  # SQLite keeps the hex, PostgreSQL a uuid
            stored = StoredEvent(
                originator, int(r["originator_version"]), r["topic"], bytes(r["state"])
            )
            where = (str(stored.originator_id), stored.originator_version)
            checked += 1
            if unsealed_state(snapshots.mapper.key, stored) is None:
                sealed = bytes(stored.state).startswith(MAGIC)
                (broken if sealed else unsealed).append(where)
        if len(rows) < PAGE:
            return SnapshotSeals(checked, unsealed, broken)
        last = (rows[-1]["originator_id"], rows[-1]["originator_version"])
        after = "WHERE originator_id > ? OR (originator_id = ? AND originator_version > ?)"
        rows = links._query(f"{columns} {after} {order}", (last[0], last[0], last[1], PAGE))
