"""The scale-out path: queries answered from a streaming replica, read-your-writes by polling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from projections import queries
from projections.readmodels import ReadModels
from tests.clock import T0, day
from tests.pgcluster import TemporaryPostgres


@pytest.fixture
def primary_and_replica() -> Iterator[tuple[TemporaryPostgres, TemporaryPostgres]]:
    primary = TemporaryPostgres().start()
    primary.create_database("company")  # before the base backup, so the replica has it too
    replica = primary.standby()
    try:
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()


def test_read_models_are_served_from_a_streaming_replica(
    primary_and_replica: tuple[TemporaryPostgres, TemporaryPostgres], tmp_path: Path
) -> None:
    primary, replica = primary_and_replica
    url = primary.url.rsplit("/", 1)[0] + "/company"
    replica_url = replica.url.rsplit("/", 1)[0] + "/company"
    settings = LedgerSettings(database_url=url, read_database_url=replica_url, data_dir=tmp_path)
    writer = OwnershipLedger(settings)
    boss = str(writer.join_staff("boss", Role.MANAGER, None, "t", "n", T0).id)
    rep = writer.join_staff("rep", Role.SALES_REP, Seniority.SENIOR, "t", "n", T0).id
    acme = writer.register_customer("Acme", Source.IMPORTED, T0).id
    receipt = writer.assign_customer(acme, rep, day(1), boss)

    models = ReadModels(writer)
    models.start()
    try:
        models.wait_for(receipt.last_position, timeout=20)
        with models.read() as tx:
            row = tx.one("SELECT pg_is_in_recovery() AS standby", {})
            assert row is not None and row["standby"] is True
            assert queries.holder_now(tx, str(acme)).holder == str(rep)
        assert models.served_position() >= receipt.last_position
    finally:
        models.close()
        writer.close()
