"""Several companies or business units in one PostgreSQL database, each in its own schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.errors import NotFound
from ledger.settings import LedgerSettings
from projections import queries
from projections.readmodels import ReadModels
from tests.clock import T0, day
from tests.conftest import drop_all_tables


def unit(url: str, schema: str, tmp_path: Path) -> OwnershipLedger:
    return OwnershipLedger(
        LedgerSettings(database_url=url, postgres_schema=schema, data_dir=tmp_path)
    )


def test_two_business_units_share_a_database_but_nothing_else(
    postgres_url: str, tmp_path: Path
) -> None:
    drop_all_tables(postgres_url)
    north, south = (
        unit(postgres_url, "north_bu", tmp_path),
        unit(postgres_url, "south_bu", tmp_path),
    )
    boss = str(north.join_staff("boss", Role.MANAGER, None, "t", "n", T0).id)
    rep = north.join_staff("rep", Role.SALES_REP, Seniority.SENIOR, "t", "n", T0).id
    acme = north.register_customer("Acme", Source.IMPORTED, T0).id
    north.assign_customer(acme, rep, day(1), boss)
    assert south.event_count() == 0
    with pytest.raises(NotFound):
        south.customer(acme)
    north_models, south_models = ReadModels(north), ReadModels(south)
    north_models.catch_up()
    south_models.catch_up()
    with north_models.read() as tx:
        assert queries.holder_now(tx, str(acme)).holder == str(rep)
    with south_models.read() as tx:
        assert queries.company_pool(tx) == []
    for closing in (north_models, south_models, north, south):
        closing.close()


def test_a_schema_name_must_be_a_plain_identifier() -> None:
    with pytest.raises(ValueError, match="postgres_schema"):
        LedgerSettings(database_url="postgresql://x/y", postgres_schema='bad"; drop table x; --')
