"""The real server on a loopback port, on each store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from ledger.settings import LedgerSettings
from tests.pgcluster import free_port


@pytest.fixture
def server(store: LedgerSettings) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "LEDGER_DATA_DIR": str(store.data_dir)}
    env.pop("LEDGER_DATABASE_URL", None)
    if store.database_url:
        env["LEDGER_DATABASE_URL"] = store.database_url
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_health_reports_the_configured_store(server: str, store: LedgerSettings) -> None:
    response = httpx.get(f"{server}/health", timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == store.store_kind
    assert body["events"] == 0
