"""Schemathesis against the running server's OpenAPI: no generated request may cause a 5xx."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Directory, LiveServer


@pytest.mark.parametrize(
    ("store", "role"), [("sqlite", "manager"), ("postgres", "auditor")], indirect=["store"]
)  # each store and each kind of caller once: a writer's and a reader's view of the API
def test_generated_requests_never_get_a_server_error(
    people: Directory, server: LiveServer, role: str
) -> None:
    beside = Path(sys.executable).parent  # the test venv's scripts, on PATH or not
    st = shutil.which("st", path=str(beside)) or shutil.which("st") or shutil.which("schemathesis")
    assert st is not None, "schemathesis is a test dependency"
    result = subprocess.run(
        [
            st, "run", f"{server.url}/openapi.json", "--checks", "not_a_server_error",
            "--max-examples", "20", "--seed", "7", "--request-timeout", "15",
            "--header", f"Authorization: Bearer {people[role].token}",
        ],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    failures = result.stdout.find("FAILURES")  # the failing request, not the warnings after it
    assert result.returncode == 0, result.stdout[max(failures, 0) :][:6000]
    assert "passed" in result.stdout
