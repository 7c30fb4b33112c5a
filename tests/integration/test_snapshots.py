"""Long histories stay cheap to load: a snapshot bounds the events read."""

from __future__ import annotations

from typing import Any

from ledger.application import OwnershipLedger
from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source, Tier
from ledger.settings import LedgerSettings
from ledger.team import Census
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


def test_the_growing_sets_are_snapshotted_at_their_own_longer_interval(
    store: LedgerSettings,
) -> None:
    """Team and Census snapshots cost their whole A-tier set, so they are taken less often."""
    store = store.model_copy(update={"snapshot_interval": 5, "set_snapshot_interval": 20})
    ledger = OwnershipLedger(store)
    for n in range(30):
        cid = ledger.register_customer(f"A{n}", Source.IMPORTED, T0).id
        ledger.grade_customer(cid, Tier.A, "graded", T0, "system", {"revenue": 1})
    census: Census = ledger.repository.get(Census.create_id())
    assert census.version == 31 and len(census.a_tier) == 30
    assert ledger.snapshots is not None
    taken = [s.originator_version for s in ledger.snapshots.get(Census.create_id())]
    assert taken == [20]  # not 5, 10, 15, ...
    ledger.close()
