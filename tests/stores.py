"""Store fixtures: every store-dependent test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.readmodels import ReadModels

STORES = ("sqlite", "postgres")


def settings_for(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> LedgerSettings:
    if kind == "sqlite":
        return LedgerSettings(data_dir=tmp_path / "data", database_url=None)
    from tests.conftest import drop_all_tables

    url: str = request.getfixturevalue("postgres_url")
    drop_all_tables(url)
    return LedgerSettings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LedgerSettings:
    """Settings for a fresh, empty store of each kind."""
    return settings_for(request.param, tmp_path, request)


@pytest.fixture
def ledger(store: LedgerSettings) -> Iterator[OwnershipLedger]:
    app = OwnershipLedger(store)
    yield app
    app.close()


@pytest.fixture
def models(ledger: OwnershipLedger) -> Iterator[ReadModels]:
    """The ledger's read models, caught up on demand by the test."""
    read_models = ReadModels(ledger)
    yield read_models
    read_models.close()
