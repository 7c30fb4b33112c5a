"""The access audit: who read which customer file, refused reads, exports, shares, violations.

File reads come from `ledger_rm_file_read` (projections/records.py); the handlers here keep the
data shares, export attempts and violations. `access_audit` and `violations` are the queries the
HTTP routes and the dashboard page both call.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ledger.datashare import DataExport, DataShare
from ledger.violation import Violation
from projections.handlers import as_json, handles, update_row
from projections.schema import ts
from projections.store import Tx

SECTIONS = ("reads", "refused_reads", "exports", "refused_exports", "shares")


# --- handlers -------------------------------------------------------------------------


@handles(DataShare.Requested)
def share_requested(tx: Tx, e: DataShare.Requested, position: int) -> None:
    sid = str(e.originator_id)
    tx.execute(
        "INSERT INTO ledger_rm_data_share (share_id, recipient, purpose, scope, scope_values, "
        "valid_from, valid_to, status, requested_by, requested_at, uses) VALUES (:id, :recipient, "
        ":purpose, :scope, :values, :start, :end, 'requested', :by, :at, 0)",
        {"id": sid, "recipient": e.recipient, "purpose": e.purpose, "scope": e.scope.value,
         "values": as_json(e.scope_values), "start": ts(e.valid_from), "end": ts(e.valid_to),
         "by": e.by, "at": ts(e.occurred_at)},
    )  # fmt: skip
    for value in e.scope_values:
        tx.execute(
            "INSERT INTO ledger_rm_data_share_item VALUES (:id, :scope, :value)",
            {"id": sid, "scope": e.scope.value, "value": value},
        )


@handles(DataShare.Approved)
def share_approved(tx: Tx, e: DataShare.Approved, position: int) -> None:
    _update_share(tx, e, "status='approved', approved_by=:by, approved_at=:at, note=:note", note=e.note)  # fmt: skip


@handles(DataShare.Used)
def share_used(tx: Tx, e: DataShare.Used, position: int) -> None:
    _update_share(tx, e, "uses=uses+1, last_used_at=:at")


@handles(DataShare.Revoked)
def share_revoked(tx: Tx, e: DataShare.Revoked, position: int) -> None:
    _update_share(tx, e, "status='revoked', revoked_by=:by, revoked_at=:at, revoke_reason=:r", r=e.reason)  # fmt: skip


def _update_share(tx: Tx, e: Any, assignments: str, **values: Any) -> None:
    update_row(
        tx, "ledger_rm_data_share", "share_id", str(e.originator_id), e, assignments, **values
    )


@handles(DataExport.Requested)
def export_requested(tx: Tx, e: DataExport.Requested, position: int) -> None:
    eid = str(e.originator_id)
    tx.execute(
        "INSERT INTO ledger_rm_data_export (export_id, position, actor, recipient, purpose, "
        "customer_ids, occurred_at, outcome) VALUES (:id, :p, :by, :recipient, :purpose, "
        ":customers, :at, 'requested')",
        {"id": eid, "p": position, "by": e.by, "recipient": e.recipient, "purpose": e.purpose,
         "customers": as_json(e.customer_ids), "at": ts(e.occurred_at)},
    )  # fmt: skip
    for customer_id in e.customer_ids:
        tx.execute(
            "INSERT INTO ledger_rm_data_export_item VALUES (:id, :c)", {"id": eid, "c": customer_id}
        )


@handles(DataExport.Exported)
def exported(tx: Tx, e: DataExport.Exported, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_data_export SET outcome='exported', share_id=:share WHERE export_id=:id",
        {"id": str(e.originator_id), "share": e.share_id},
    )


@handles(DataExport.Refused)
def export_refused(tx: Tx, e: DataExport.Refused, position: int) -> None:
    tx.execute(
        "UPDATE ledger_rm_data_export SET outcome='refused', share_id=:share, code=:code, "
        "message=:message WHERE export_id=:id",
        {"id": str(e.originator_id), "share": e.share_id, "code": e.code, "message": e.message},
    )


@handles(Violation.Recorded)
def violation_recorded(tx: Tx, e: Violation.Recorded, position: int) -> None:
    tx.execute(
        "INSERT INTO ledger_rm_violation (violation_id, position, staff_id, severity, "
        "description, export_id, occurred_at, recorded_by) VALUES (:id, :p, :s, :severity, "
        ":description, :export, :at, :by)",
        {"id": str(e.originator_id), "p": position, "s": e.staff_id, "severity": e.severity.value,
         "description": e.description, "export": e.export_id, "at": ts(e.occurred_at), "by": e.by},
    )  # fmt: skip


@handles(Violation.WarningIssued)
def warning_issued(tx: Tx, e: Violation.WarningIssued, position: int) -> None:
    _update_violation(tx, e, "warned_at=:at")


@handles(Violation.StopOrdered)
def stop_ordered(tx: Tx, e: Violation.StopOrdered, position: int) -> None:
    _update_violation(tx, e, "stop_ordered_at=:at")


@handles(Violation.InvestigationOpened)
def investigation_opened(tx: Tx, e: Violation.InvestigationOpened, position: int) -> None:
    _update_violation(tx, e, "investigation='open', investigation_opened_at=:at")


@handles(Violation.InvestigationClosed)
def investigation_closed(tx: Tx, e: Violation.InvestigationClosed, position: int) -> None:
    _update_violation(tx, e, "investigation='closed', investigation_closed_at=:at, finding=:f", f=e.finding)  # fmt: skip


@handles(Violation.EmploymentTerminated)
def terminated(tx: Tx, e: Violation.EmploymentTerminated, position: int) -> None:
    _update_violation(tx, e, "terminated_at=:at, plan=:plan", plan=as_json(e.plan))


def _update_violation(tx: Tx, e: Any, assignments: str, **values: Any) -> None:
    update_row(
        tx, "ledger_rm_violation", "violation_id", str(e.originator_id), e, assignments, **values
    )


# --- queries ----------------------------------------------------------------------------


class Filter:
    """WHERE clauses and their parameters, built one optional filter at a time."""

    def __init__(self, start: datetime | None, end: datetime | None, limit: int) -> None:
        self.clauses: list[str] = []
        self.params: dict[str, Any] = {"limit": limit}
        self.start, self.end = start, end

    def add(self, clause: str, **params: Any) -> Filter:
        self.clauses.append(clause)
        self.params.update(params)
        return self

    def period(self, column: str) -> Filter:
        if self.start is not None:
            self.add(f"{column} >= :start", start=ts(self.start))
        if self.end is not None:
            self.add(f"{column} < :end", end=ts(self.end))
        return self

    def where(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


def access_audit(
    tx: Tx,
    customer_id: str | None = None,
    staff_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
) -> dict[str, list[dict[str, Any]]]:
    """Reads, refused reads, exports, refused exports and approved shares, newest first.

    `customer_id` keeps what concerns that customer (a share: one naming it, its holder or its
    area); `staff_id` what that person did (a share: requested, approved, or covering their
    customers); `start` (inclusive) and `end` (exclusive) bound each row's business time (a
    share: its approval). Each section holds at most `limit` rows.
    """
    args = (customer_id, staff_id, start, end, limit)
    return {
        "reads": file_reads(tx, True, *args),
        "refused_reads": file_reads(tx, False, *args),
        "exports": exports(tx, "exported", *args),
        "refused_exports": exports(tx, "refused", *args),
        "shares": approved_shares(tx, *args),
    }


def file_reads(
    tx: Tx,
    allowed: bool,
    customer_id: str | None,
    staff_id: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    where = Filter(start, end, limit).add("r.allowed=:allowed", allowed=int(allowed))
    if customer_id:
        where.add("r.customer_id=:c", c=customer_id)
    if staff_id:
        where.add("r.reader=:s", s=staff_id)
    rows = tx.all(
        "SELECT r.position, r.occurred_at, r.reader, s.name AS reader_name, s.role AS reader_role, "
        "r.customer_id, c.name AS customer_name, r.what, r.reason FROM ledger_rm_file_read r "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = r.reader "
        "LEFT JOIN ledger_rm_customer c ON c.customer_id = r.customer_id"
        f"{where.period('r.occurred_at').where()} "
        "ORDER BY r.occurred_at DESC, r.position DESC LIMIT :limit",
        where.params,
    )
    return [{**row, "allowed": allowed} for row in rows]


def exports(
    tx: Tx,
    outcome: str,
    customer_id: str | None,
    staff_id: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    where = Filter(start, end, limit).add("x.outcome=:outcome", outcome=outcome)
    if customer_id:
        where.add(
            "EXISTS (SELECT 1 FROM ledger_rm_data_export_item i "
            "WHERE i.export_id = x.export_id AND i.customer_id=:c)",
            c=customer_id,
        )
    if staff_id:
        where.add("x.actor=:s", s=staff_id)
    rows = tx.all(
        "SELECT x.export_id, x.occurred_at, x.actor, s.name AS actor_name, x.recipient, "
        "x.purpose, x.customer_ids, x.share_id, x.code, x.message FROM ledger_rm_data_export x "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = x.actor"
        f"{where.period('x.occurred_at').where()} "
        "ORDER BY x.occurred_at DESC, x.position DESC LIMIT :limit",
        where.params,
    )
    return [{**row, "customer_ids": json.loads(row["customer_ids"])} for row in rows]


def approved_shares(
    tx: Tx,
    customer_id: str | None,
    staff_id: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[dict[str, Any]]:
    where = Filter(start, end, limit).add("d.approved_at IS NOT NULL")
    item = "EXISTS (SELECT 1 FROM ledger_rm_data_share_item i WHERE i.share_id = d.share_id AND "
    if customer_id:
        where.add(
            f"{item}((i.scope='customers' AND i.value=:c) OR (i.scope='holder' AND i.value = "
            "(SELECT holder FROM ledger_rm_customer WHERE customer_id=:c)) OR (i.scope='area' "
            "AND i.value = (SELECT area FROM ledger_rm_customer WHERE customer_id=:c))))",
            c=customer_id,
        )
    if staff_id:
        where.add(
            f"(d.requested_by=:s OR d.approved_by=:s OR {item}i.scope='holder' AND i.value=:s))",
            s=staff_id,
        )
    rows = tx.all(
        "SELECT d.share_id, d.recipient, d.purpose, d.scope, d.scope_values, d.valid_from, "
        "d.valid_to, d.status, d.requested_by, d.requested_at, d.approved_by, "
        "s.name AS approved_by_name, d.approved_at, d.note, d.revoked_by, d.revoked_at, "
        "d.revoke_reason, d.uses, d.last_used_at FROM ledger_rm_data_share d "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = d.approved_by"
        f"{where.period('d.approved_at').where()} "
        "ORDER BY d.approved_at DESC, d.share_id LIMIT :limit",
        where.params,
    )
    return [{**row, "scope_values": json.loads(row["scope_values"])} for row in rows]


def violations(
    tx: Tx,
    staff_id: str | None = None,
    severity: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Violations by person, severity and period, newest first, with what followed (S8)."""
    where = Filter(start, end, limit)
    if staff_id:
        where.add("v.staff_id=:s", s=staff_id)
    if severity:
        where.add("v.severity=:severity", severity=severity)
    rows = tx.all(
        "SELECT v.violation_id, v.occurred_at, v.staff_id, s.name AS staff_name, v.severity, "
        "v.description, v.export_id, v.recorded_by, v.warned_at, v.stop_ordered_at, "
        "v.investigation, v.investigation_opened_at, v.investigation_closed_at, v.finding, "
        "v.terminated_at, v.plan FROM ledger_rm_violation v "
        "LEFT JOIN ledger_rm_staff s ON s.staff_id = v.staff_id"
        f"{where.period('v.occurred_at').where()} "
        "ORDER BY v.occurred_at DESC, v.position DESC LIMIT :limit",
        where.params,
    )
    return [{**row, "plan": json.loads(row["plan"]) if row["plan"] else None} for row in rows]
