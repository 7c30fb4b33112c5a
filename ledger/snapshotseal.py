"""Sealed snapshots: a snapshot is trusted only if it carries a seal only the ledger can make.

Snapshots are not events: the hash chain covers events, and a snapshot edited in the database
(a rep's role set to `admin`) would otherwise be loaded as the rep's state. Each stored snapshot
carries an HMAC-SHA256 over its aggregate id, version, topic and state, made with a key kept
outside the store (LEDGER_SNAPSHOT_KEY, else a key file in the data directory). A snapshot whose
seal fails, or that has none (written before seals), is never used: the aggregate is rebuilt
from its events, which the chain does cover, and the failure is logged and counted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import EventStore, Mapper, StoredEvent

MAGIC = b"LSS1"  # ledger sealed snapshot, version 1
SEAL = len(MAGIC) + 32
log = logging.getLogger("ledger.snapshots")


def load_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key (hex), else this installation's own key file, made once."""
    if configured:
        return bytes.fromhex(configured)
    path = data_dir / "snapshot.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def _sealed_bytes(originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    fields = (str(originator_id).encode(), struct.pack(">q", version), topic.encode(), state)
    return b"".join(struct.pack(">I", len(f)) + f for f in fields)


def seal(key: bytes, stored: StoredEvent) -> bytes:
    content = _sealed_bytes(
        stored.originator_id, stored.originator_version, stored.topic, bytes(stored.state)
    )
    return hmac.new(key, content, hashlib.sha256).digest()


def unsealed(key: bytes, stored: StoredEvent) -> StoredEvent | None:
    """The snapshot as the mapper wrote it, or None when its seal is missing or wrong."""
    state = bytes(stored.state)
    if not state.startswith(MAGIC):
        return None
    inner = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state[SEAL:])
    if not hmac.compare_digest(state[len(MAGIC) : SEAL], seal(key, inner)):
        return None
    return inner


class SealingMapper(Mapper[UUID]):
    """The application's mapper, with each snapshot's seal written before its state."""

    def __init__(self, mapper: Mapper[UUID], key: bytes) -> None:
        super().__init__(mapper.transcoder, mapper.compressor, mapper.cipher)
        self.key = key

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        stored = super().to_stored_event(domain_event)
        sealed = MAGIC + seal(self.key, stored) + bytes(stored.state)
        return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, sealed)


class SealedSnapshotStore(EventStore[UUID]):
    """Yields only snapshots whose seal holds; the repository replays events for the rest."""

    mapper: SealingMapper
    refused = 0  # snapshots refused since this process started (all stores)

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        rows = self.recorder.select_events(
            originator_id=originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        for stored in rows:
            inner = unsealed(self.mapper.key, stored)
            if inner is None:
                SealedSnapshotStore.refused += 1
                log.warning(
                    "snapshot of %s at version %s has no valid seal: not used, its state is "
                    "rebuilt from the events (run `ledger verify`)",
                    originator_id,
                    stored.originator_version,
                )
                continue
            yield self.mapper.to_domain_event(inner)
