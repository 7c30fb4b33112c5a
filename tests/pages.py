"""One read-model page written by hand: a test's writer runs inside `view.write` like a handler."""

from __future__ import annotations

from eventsourcing.persistence import Tracking

from projections.readmodels import ReadModels
from projections.store import APPLICATION, Writer

CUSTOMER = (
    "INSERT INTO ledger_rm_customer (customer_id, name, source, registered_at, updated_at) "
    "VALUES (:c, :name, 'imported', :at, :at)"
)


def write_page(models: ReadModels, writer: Writer) -> int:
    """Run `writer` as the page after the read models' position; the position it commits."""
    start = models.position()
    models.view.write(start, Tracking(APPLICATION, start + 1), writer)
    return start + 1
