"""Read your writes by position: a reader that does not project waits for another that does."""

from __future__ import annotations

import threading

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Tier
from projections import queries
from projections.readmodels import ReadModelBehind, ReadModels
from tests.clock import day
from tests.company import standard_company


def test_a_reader_waits_for_a_position_that_a_projector_elsewhere_reaches(
    ledger: OwnershipLedger, models: ReadModels
) -> None:
    company = standard_company(ledger)
    models.catch_up()
    cid = company.customer("Acme", Tier.B)
    receipt = ledger.assign_customer(cid, company["senior"], day(1), company.by("alloc"))
    reader = ReadModels(ledger, writer=False)  # an API worker: it never catches up itself
    try:
        assert reader.served_position() < receipt.last_position
        with pytest.raises(ReadModelBehind) as behind:
            reader.wait_for(receipt.last_position, timeout=0.05)
        assert behind.value.code == "read_models_behind"
        assert reader.served_position() < receipt.last_position  # waiting applied nothing

        projector = threading.Timer(0.05, models.catch_up)  # the projector, a moment later
        projector.start()
        reached = reader.wait_for(receipt.last_position, timeout=5)
        projector.join()
        assert reached >= receipt.last_position
        with reader.read() as tx:
            assert queries.holder_now(tx, str(cid)).holder == company.by("senior")
    finally:
        reader.close()


def test_a_writer_without_a_follower_catches_up_itself(
    ledger: OwnershipLedger, models: ReadModels
) -> None:
    company = standard_company(ledger)
    cid = company.customer("Acme", Tier.B)
    receipt = ledger.assign_customer(cid, company["senior"], day(1), company.by("alloc"))
    assert models.wait_for(receipt.last_position) >= receipt.last_position
