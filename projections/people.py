"""Handlers for staff and policy facts: who works here, in which state, under which policy."""

from __future__ import annotations

from typing import Any

from ledger.policy import Policy
from ledger.staff import Staff
from projections.handlers import as_json, handles, value
from projections.schema import ts
from projections.store import Tx


def _update(tx: Tx, e: Any, assignments: str, **params: Any) -> None:
    tx.execute(
        f"UPDATE ledger_rm_staff SET {assignments} WHERE staff_id=:s",
        {"s": str(e.originator_id), **params},
    )


@handles(Staff.Joined)
def joined(tx: Tx, e: Staff.Joined, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_staff (staff_id, name, role, seniority, team, area, status, "
        "joined_at) VALUES (:s, :name, :role, :seniority, :team, :area, 'active', :at)",
        {"s": str(e.originator_id), "name": e.name, "role": e.role.value,
         "seniority": value(e.seniority), "team": e.team, "area": e.area,
         "at": ts(e.occurred_at)},
    )  # fmt: skip


@handles(Staff.SeniorityChanged)
def seniority_changed(tx: Tx, e: Staff.SeniorityChanged, position: int) -> None:
    _update(tx, e, "seniority=:v", v=e.seniority.value)


@handles(Staff.AreaChanged)
def area_changed(tx: Tx, e: Staff.AreaChanged, position: int) -> None:
    _update(tx, e, "area=:v", v=e.area)


@handles(Staff.DepartureAnnounced)
def departure_announced(tx: Tx, e: Staff.DepartureAnnounced, position: int) -> None:
    _update(tx, e, "status='leaving', departure_effective=:v", v=ts(e.effective_at))


@handles(Staff.Departed)
def departed(tx: Tx, e: Staff.Departed, position: int) -> None:
    _update(tx, e, "status='departed', departed_at=:v", v=ts(e.occurred_at))


@handles(Policy.Adopted)
def policy_adopted(tx: Tx, e: Policy.Adopted, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_policy VALUES (:v, :at, :params)",
        {"v": e.version, "at": ts(e.effective_at), "params": as_json(e.params)},
    )
