"""The real server on a loopback port, on each store."""

from __future__ import annotations

import httpx

from ledger.settings import LedgerSettings
from tests.e2e.conftest import LiveServer


def test_health_reports_the_configured_store(server: LiveServer, store: LedgerSettings) -> None:
    response = httpx.get(f"{server.url}/health", timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == store.store_kind
    assert body["events"] == 0
