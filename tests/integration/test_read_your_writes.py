"""Read your writes is paid by the reader: acknowledging a command never waits, the next read does."""

from __future__ import annotations

from ledger.application import OwnershipLedger
from ledger.enums import Tier
from projections import queries
from projections.readmodels import ReadModels
from tests.clock import day
from tests.company import standard_company


def test_an_acknowledged_command_is_in_the_next_read_and_acknowledging_does_not_apply_it(
    ledger: OwnershipLedger, models: ReadModels
) -> None:
    company = standard_company(ledger)
    models.catch_up()
    cid = company.customer("Acme", Tier.B)
    receipt = ledger.assign_customer(cid, company["senior"], day(1), company.by("alloc"))
    models.acknowledge(receipt.last_position)
    assert models.position() < receipt.last_position  # nothing applied on the writer's side
    models.settle()
    assert models.reached >= receipt.last_position
    with models.read() as tx:
        assert queries.holder_now(tx, str(cid)).holder == company.by("senior")
    models.settle()  # nothing pending: returns at once, and the position stays
    assert models.position() == models.reached
