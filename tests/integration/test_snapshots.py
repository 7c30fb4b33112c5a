"""Long histories stay cheap to load: a snapshot bounds the events read."""

from __future__ import annotations

from typing import Any

from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source
from ledger.settings import LedgerSettings
from tests.clock import T0, day


class CountingReads:
    """Wraps a recorder's select_events to count stored events read."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.read = 0
        self.original = recorder.select_events
        recorder.select_events = self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        rows = self.original(*args, **kwargs)
        self.read += len(rows)
        return rows


def test_loading_a_long_history_reads_at_most_one_snapshot_interval(store: LedgerSettings) -> None:
    store = store.model_copy(update={"snapshot_interval": 50, "cache_size": None})
    writer = OwnershipLedger(store)
    rep = writer.join_staff("rep", Role.SALES_REP, Seniority.SENIOR, "t", "n", T0).id
    acme = writer.register_customer("Acme", Source.IMPORTED, T0).id
    for n in range(240):
        writer.record_contact(
            acme, rep, ContactKind.CALL, ContactChannel.COMPANY_PHONE, day(n), "r"
        )
    assert writer.customer(acme).version == 241

    reader = OwnershipLedger(store)
    counter = CountingReads(reader.recorder)
    customer = reader.customer(acme)
    assert customer.version == 241
    assert len(customer.contacts) == 240
    assert counter.read <= 50  # events after the snapshot at version 200
    assert counter.read == 41
    writer.close()
    reader.close()
