"""The ledger's SQLite event recorder: the library's, storing each event's hash-chain link in the
transaction that stores the event.

Linked later, an event edited in the file before the catch-up would be linked as edited. Here
the link is written with the event: the head is read after the events INSERT, which took
SQLite's one write lock (its first statement, so it waits for the lock on a fresh snapshot), so
two writers never extend the same head. `ledger/settings.py` selects it with the library's
APPLICATION_RECORDER_TOPIC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from ledger.chainhash import CHAIN_TABLE, GENESIS, extend

PAGE = 1000
# `previous_id` and `seq` (1, 2, 3 …) are unique too: the links form one line, no link can gain
# a second successor.
CREATE_CHAIN_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
    "notification_id INTEGER PRIMARY KEY, previous_id INTEGER NOT NULL UNIQUE, "
    "seq INTEGER NOT NULL UNIQUE, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
    "link TEXT NOT NULL)"
)
Head = tuple[int, int, bytes]  # position, seq, link


class LinkedSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name)
        self.select_head_statement = (
            f"SELECT notification_id, seq, link FROM {CHAIN_TABLE} "
            "ORDER BY notification_id DESC LIMIT 1"
        )
        self.select_unlinked_statement = (
            f"SELECT rowid, * FROM {events_table_name} WHERE rowid > ? AND rowid < ? "
            f"ORDER BY rowid LIMIT {PAGE}"
        )
        self.insert_links_statement = (
            f"INSERT INTO {CHAIN_TABLE} (notification_id, previous_id, seq, originator_id, "
            "originator_version, link) VALUES (?, ?, ?, ?, ?, ?)"
        )

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), CREATE_CHAIN_TABLE]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            self._link(c, [_notification(i, s) for i, s in zip(ids, stored_events, strict=True)])
        return ids

    def _link(self, c: SQLiteCursor, events: list[Notification]) -> None:
        """Extend the chain from its head, first over any events stored before this recorder.

        An event at or below the head (an id reused after the newest event was deleted) stays
        unlinked: `verify` names it.
        """
        c.execute(self.select_head_statement)
        row = c.fetchone()
        head: Head = (
            (row["notification_id"], row["seq"], bytes.fromhex(row["link"]))
            if row
            else (0, 0, GENESIS)
        )
        new = [n for n in events if n.id > head[0]]
        if not new:
            return
        while unlinked := self._unlinked(c, head[0], new[0].id):
            head = self._append(c, head, unlinked)
        self._append(c, head, new)

    def _unlinked(self, c: SQLiteCursor, after: int, before: int) -> list[Notification]:
        c.execute(self.select_unlinked_statement, (after, before))
        return [
            Notification(
                id=row["rowid"],
                originator_id=self.convert_originator_id(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
            for row in c.fetchall()
        ]

    def _append(self, c: SQLiteCursor, head: Head, events: list[Notification]) -> Head:
        position, seq, link = head
        rows = list(extend(link, position, seq, events))
        c.executemany(self.insert_links_statement, rows)
        last = rows[-1]
        return last[0], last[2], bytes.fromhex(last[5])


def _notification(notification_id: int, s: StoredEvent) -> Notification:
    return Notification(
        id=notification_id,
        originator_id=s.originator_id,
        originator_version=s.originator_version,
        topic=s.topic,
        state=s.state,
    )
