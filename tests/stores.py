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


def point_cli_at(store: LedgerSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI opens `store`, as `ledger` does from its LEDGER_* variables."""
    monkeypatch.setenv("LEDGER_DATA_DIR", str(store.data_dir))
    if store.database_url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", store.database_url)
    else:
        monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)


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
