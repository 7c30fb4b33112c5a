"""Snapshots carry the ledger's seal (issue 22, finding 1): a snapshot edited in the database,
or copied from another aggregate, is never used and `ledger verify` names it; both stores."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.enums import Role, Seniority, Source
from ledger.settings import LedgerSettings
from ledger.snapshotseal import SealedSnapshotStore
from projections.guard import guarded_store
from tests.clock import T0, day
from tests.integration.test_tamper import dba, drop_guards
from tests.stores import point_cli_at


@pytest.fixture
def often(store: LedgerSettings) -> LedgerSettings:
    """Snapshots every two events, so a short history has some."""
    return store.model_copy(update={"snapshot_interval": 2})


def snapshots_table(ledger: OwnershipLedger) -> str:
    found = guarded_store(ledger)
    assert found is not None
    return found.tables[1]


def stored_id(store: LedgerSettings, originator: str) -> str:
    """SQLite keeps a uuid as its hex digits, PostgreSQL as a uuid."""
    return UUID(originator).hex if store.database_url is None else originator


def rows(store: LedgerSettings, table: str, originator: str) -> list[Any]:
    mark = "?" if store.database_url is None else "%s"
    with dba(store) as conn:
        found: list[Any] = conn.execute(
            f"SELECT originator_version, state FROM {table} WHERE originator_id = {mark} "
            "ORDER BY originator_version",
            (stored_id(store, originator),),
        ).fetchall()
    return found


def rewrite(store: LedgerSettings, table: str, originator: str, version: int, state: bytes) -> None:
    """What an attacker with DBA rights does: change a snapshot row in place."""
    drop_guards(store, table)
    mark = "?" if store.database_url is None else "%s"
    with dba(store) as conn:
        conn.execute(
            f"UPDATE {table} SET state = {mark} WHERE originator_id = {mark} "
            f"AND originator_version = {mark}",
            (state, stored_id(store, originator), version),
        )


def a_rep_with_snapshots(settings: LedgerSettings) -> tuple[str, str, str]:
    """A rep whose file has snapshots, a manager, and the rep's token."""
    ledger = OwnershipLedger(settings)
    try:
        boss = str(ledger.join_staff("Boss", Role.MANAGER, None, "north", "n", T0).id)
        rep = ledger.join_staff("Rita", Role.SALES_REP, Seniority.SENIOR, "north", "n", T0).id
        for n in range(4):
            cid = ledger.register_customer(f"C{n}", Source.IMPORTED, T0).id
            ledger.assign_customer(cid, rep, day(1 + n), boss)
        token, _ = ledger.issue_token(T0, "system:test", staff_id=rep)
        return str(rep), boss, token
    finally:
        ledger.close()


def test_an_edited_snapshot_is_never_used_and_verify_names_it(
    often: LedgerSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep, _, token = a_rep_with_snapshots(often)
    point_cli_at(often, monkeypatch)
    untouched = CliRunner().invoke(cli, ["verify"], env={"COLUMNS": "400"})
    assert untouched.exit_code == 0, untouched.output
    sealed = next(line for line in untouched.output.splitlines() if "snapshots sealed" in line)
    count = int(sealed.split(" of ")[1].split()[0])
    assert count >= 2 and sealed.startswith(f"{count} of {count}")
    ledger = OwnershipLedger(often.model_copy(update={"cache_size": None}))
    try:
        table = snapshots_table(ledger)
        version, state = rows(often, table, rep)[-1]
        assert b"sales_rep" in bytes(state)
        rewrite(often, table, rep, version, bytes(state).replace(b"sales_rep", b"admin"))
        refused = SealedSnapshotStore.refused
        assert ledger.staff(rep).role is Role.SALES_REP  # rebuilt from the events
        assert ledger.principal(token, day(9)).role is Role.SALES_REP
        assert SealedSnapshotStore.refused > refused
    finally:
        ledger.close()
    checked = CliRunner().invoke(cli, ["verify"], env={"COLUMNS": "400"})
    assert checked.exit_code == 1, checked.output
    assert f"snapshot of {rep} at version {version} fails its seal" in checked.output
    assert "chain intact" in checked.output  # the events themselves were never touched


def test_a_managers_sealed_snapshot_copied_onto_a_rep_is_not_the_reps(
    often: LedgerSettings,
) -> None:
    rep, boss, token = a_rep_with_snapshots(often)
    ledger = OwnershipLedger(often.model_copy(update={"cache_size": None}))
    try:
        for n in range(3):  # the manager's own file gets snapshots too
            ledger.change_area(UUID(boss), f"area {n}", "cover", day(2 + n), boss)
        table = snapshots_table(ledger)
        _, managers = rows(often, table, boss)[-1]
        version, _ = rows(often, table, rep)[-1]
        rewrite(often, table, rep, version, bytes(managers))
        assert ledger.staff(rep).role is Role.SALES_REP
        assert ledger.principal(token, day(9)).role is Role.SALES_REP
    finally:
        ledger.close()
