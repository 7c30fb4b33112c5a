"""The administrator's command line (issue 20, item 7): find staff, list and expire tokens, one
exit-code convention (1 refused by the ledger, 2 a malformed command line), no tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.errors import RuleViolation
from ledger.settings import LedgerSettings
from tests.clock import T0
from tests.stores import point_cli_at

Run = Callable[..., Result]


@pytest.fixture
def run(store: LedgerSettings, monkeypatch: pytest.MonkeyPatch) -> Run:
    point_cli_at(store, monkeypatch)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env={"COLUMNS": "300"})

    return invoke


def test_staff_are_found_by_part_of_a_name_and_by_team(run: Run, store: LedgerSettings) -> None:
    for name, team in (("Wang Fang", "north"), ("Li Na", "north"), ("Zhou Wei", "south")):
        joined = run(
            "staff",
            "join",
            "--name",
            name,
            "--role",
            "sales_rep",
            "--seniority",
            "new",
            "--team",
            team,
        )
        assert joined.exit_code == 0, joined.output
    north = run("staff", "list", "--team", "north")
    assert north.exit_code == 0, north.output
    assert "Wang Fang" in north.output and "Li Na" in north.output
    assert "Zhou Wei" not in north.output
    found = run("staff", "list", "--q", "FANG")
    assert "Wang Fang" in found.output and "Li Na" not in found.output


def test_tokens_are_listed_without_their_secret_and_expire(run: Run, store: LedgerSettings) -> None:
    staff = run("staff", "join", "--name", "Ops Admin", "--role", "admin").stdout.strip()
    token = run(
        "token", "issue", "--staff", staff, "--label", "night shift", "--expires-in", "0.5"
    ).stdout.strip()
    phone = run("token", "issue", "--client", "phone", "--scope", "leads").stdout.strip()
    listed = run("token", "list")
    assert listed.exit_code == 0, listed.output
    assert "night shift" in listed.output and "Ops Admin" in listed.output
    assert "client:phone" in listed.output and "leads" in listed.output
    assert token not in listed.output and phone not in listed.output
    assert listed.output.count("active") == 2
    assert run("token", "revoke", phone, "--reason", "rotated").exit_code == 0
    assert "revoked" in run("token", "list").output

    ledger = OwnershipLedger(store)
    try:
        later, _ = ledger.issue_token(
            T0, "system:test", client="crm", expires_at=T0 + timedelta(hours=1)
        )
        assert ledger.principal(later, T0 + timedelta(minutes=59)).actor == "client:crm"
        with pytest.raises(RuleViolation) as expired:
            ledger.principal(later, T0 + timedelta(hours=1))
        assert expired.value.code == "token_expired"
    finally:
        ledger.close()


def test_a_refusal_exits_1_and_a_malformed_command_2_without_a_traceback(
    run: Run, tmp_path: Path
) -> None:
    adopt = ("policy", "adopt", "--effective-at", "2024-01-01", "--reason", "r", "--by", "x")
    missing = run(*adopt[:2], str(tmp_path / "nowhere.toml"), *adopt[2:])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text("max_cap = 3")
    refused = run(*adopt[:2], str(bad), *adopt[2:])
    assert refused.exit_code == 1 and "policy_unknown_key" in refused.output
    assert run("token", "issue", "--staff", "not-an-id").exit_code == 2
    unknown = run("token", "issue", "--staff", "00000000-0000-4000-8000-000000000000")
    assert unknown.exit_code == 1 and "unknown_staff" in unknown.output
    assert run("report", "no-such-report").exit_code == 2
