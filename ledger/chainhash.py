"""The hash chain's arithmetic, shared by the recorders that link events as they store them and
by `projections.chain`, which verifies the links and catches up events stored before that.

link(n) = sha256(link(previous) || canonical bytes of event n), starting from 32 zero bytes.
The canonical bytes are five length-prefixed fields (4-byte big-endian length, then the bytes):
the notification id (8 bytes, big-endian), the originator id (its text form, UTF-8), the
originator version (8 bytes, big-endian), the topic (UTF-8) and the stored state bytes.
`ledger/pgrecorder.py` computes the same bytes in SQL; the two must change together.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator

from eventsourcing.persistence import Notification

CHAIN_TABLE = "ledger_chain"
GENESIS = bytes(32)
LinkRow = tuple[int, int, int, str, int, str]  # position, previous, seq, originator, version, hex
# Precompiled, as `verify` and every insert run this per event: an 8-byte field with its length,
# then the length of the variable field after it; and a length alone.
_NUMBER_THEN_LENGTH = struct.Struct(">IQI")
_LENGTH = struct.Struct(">I")


def event_bytes(n: Notification) -> bytes:
    """The canonical bytes of one stored event, as described in the module docstring."""
    originator, topic, state = str(n.originator_id).encode(), n.topic.encode(), bytes(n.state)
    return b"".join(
        (
            _NUMBER_THEN_LENGTH.pack(8, n.id, len(originator)),
            originator,
            _NUMBER_THEN_LENGTH.pack(8, n.originator_version, len(topic)),
            topic,
            _LENGTH.pack(len(state)),
            state,
        )
    )


def next_link(previous: bytes, n: Notification) -> bytes:
    return hashlib.sha256(previous + event_bytes(n)).digest()


def extend(
    previous: bytes, position: int, seq: int, events: Iterable[Notification]
) -> Iterator[LinkRow]:
    """The chain-table rows that link `events` after the `seq`th link, `previous` at `position`."""
    for n in events:
        previous, seq = next_link(previous, n), seq + 1
        yield n.id, position, seq, str(n.originator_id), n.originator_version, previous.hex()
        position = n.id
