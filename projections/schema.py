"""The read-model tables: one DDL for SQLite and PostgreSQL, every name prefixed `ledger_rm_`.

Times are stored as fixed-width UTC ISO-8601 text, so text order is time order on both stores
and `FOREVER` stands for an open end (an index range works where NULL would not).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

FOREVER = "9999-12-31T23:59:59.999999+00:00"
TRACKING_TABLE = "ledger_rm_tracking"

TABLES: dict[str, str] = {
    "ledger_rm_staff": """
        staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, seniority TEXT,
        team TEXT NOT NULL, area TEXT NOT NULL, status TEXT NOT NULL, joined_at TEXT NOT NULL,
        departure_effective TEXT, departed_at TEXT""",
    "ledger_rm_customer": """
        customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL, channel TEXT,
        area TEXT, registered_at TEXT NOT NULL, tier TEXT, holder TEXT, held_since TEXT,
        last_contact_at TEXT, last_holder_contact_at TEXT, updated_at TEXT NOT NULL,
        contact_channel TEXT, source_ref TEXT""",
    "ledger_rm_holding": """
        customer_id TEXT NOT NULL, holder TEXT, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
        recorded_at TEXT NOT NULL, superseded_at TEXT NOT NULL, position BIGINT NOT NULL,
        PRIMARY KEY (customer_id, valid_from, recorded_at, position)""",
    "ledger_rm_custody": """
        position BIGINT NOT NULL, customer_id TEXT NOT NULL, kind TEXT NOT NULL,
        occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, actor TEXT NOT NULL,
        from_holder TEXT, to_holder TEXT, reason TEXT, rule TEXT, policy_version INTEGER,
        approver TEXT, request_id TEXT, override INTEGER NOT NULL, detail TEXT NOT NULL,
        PRIMARY KEY (position, customer_id)""",
    "ledger_rm_grade": """
        position BIGINT PRIMARY KEY, customer_id TEXT NOT NULL, tier TEXT NOT NULL,
        occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, actor TEXT NOT NULL,
        reason TEXT NOT NULL, policy_version INTEGER NOT NULL""",
    "ledger_rm_team": """
        customer_id TEXT NOT NULL, staff_id TEXT NOT NULL, team_role TEXT NOT NULL,
        since TEXT NOT NULL, PRIMARY KEY (customer_id, staff_id)""",
    "ledger_rm_contact": """
        contact_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, staff_id TEXT NOT NULL,
        kind TEXT NOT NULL, channel TEXT NOT NULL, private INTEGER NOT NULL,
        occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, actor TEXT NOT NULL,
        by_holder INTEGER NOT NULL, verified_at TEXT, outcome TEXT, satisfaction INTEGER,
        caller TEXT, expense TEXT, expense_at TEXT, channel_address TEXT,
        company_channel INTEGER, asked_for TEXT, late INTEGER NOT NULL DEFAULT 0,
        handoff_drift INTEGER NOT NULL DEFAULT 0, callback_note TEXT""",
    "ledger_rm_contract": """
        customer_id TEXT NOT NULL, contract_ref TEXT NOT NULL, value TEXT NOT NULL,
        occurred_at TEXT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (customer_id, contract_ref)""",
    "ledger_rm_complaint": """
        complaint_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, summary TEXT NOT NULL,
        logged_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT,
        state TEXT NOT NULL DEFAULT 'logged', form TEXT, replied_at TEXT, reply_late INTEGER,
        cause TEXT, corrective TEXT, preventive TEXT, escalated_to TEXT, rechecked_at TEXT,
        satisfaction INTEGER, fed_back_to TEXT""",
    "ledger_rm_trip": """
        trip_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, staff_id TEXT NOT NULL,
        purpose TEXT NOT NULL, occurred_at TEXT NOT NULL, entered_at TEXT NOT NULL,
        late INTEGER NOT NULL, step TEXT NOT NULL, met TEXT NOT NULL,
        decision_maker_met INTEGER NOT NULL, needs TEXT NOT NULL, key_information TEXT NOT NULL,
        next_step TEXT NOT NULL, amendments INTEGER NOT NULL DEFAULT 0, signed_by TEXT,
        signed_at TEXT, backfilled_by TEXT, backfilled_at TEXT, qualified_by TEXT,
        qualified_at TEXT, expense TEXT, expense_approved_by TEXT, expense_approved_at TEXT,
        callbacks INTEGER NOT NULL DEFAULT 0, discrepancies INTEGER NOT NULL DEFAULT 0""",
    "ledger_rm_trip_callback": """
        position BIGINT PRIMARY KEY, trip_id TEXT NOT NULL, customer_id TEXT NOT NULL,
        caller TEXT NOT NULL, reached INTEGER NOT NULL, outcome TEXT NOT NULL,
        satisfaction INTEGER, differences TEXT NOT NULL, problems TEXT NOT NULL,
        occurred_at TEXT NOT NULL""",
    "ledger_rm_file_entry": """
        position BIGINT NOT NULL, seq INTEGER NOT NULL, customer_id TEXT NOT NULL,
        trip_id TEXT NOT NULL, entry TEXT NOT NULL, occurred_at TEXT NOT NULL,
        actor TEXT NOT NULL, PRIMARY KEY (position, seq)""",
    "ledger_rm_key_person": """
        customer_id TEXT NOT NULL, role TEXT NOT NULL, person TEXT NOT NULL, title TEXT NOT NULL,
        since TEXT NOT NULL, PRIMARY KEY (customer_id, role)""",
    "ledger_rm_warning": """
        position BIGINT PRIMARY KEY, customer_id TEXT NOT NULL, kind TEXT NOT NULL,
        detail TEXT NOT NULL, occurred_at TEXT NOT NULL""",
    "ledger_rm_development": """
        development_id TEXT PRIMARY KEY, station TEXT NOT NULL, manager_id TEXT NOT NULL,
        area_manager_id TEXT NOT NULL, target TEXT NOT NULL, level TEXT NOT NULL,
        step TEXT NOT NULL, planned_at TEXT NOT NULL, visited_at TEXT, entered_at TEXT,
        succeeded_at TEXT, card_ref TEXT, first_top_up TEXT, filed_at TEXT, filing_ref TEXT""",
    "ledger_rm_weekly_form": """
        area_manager_id TEXT NOT NULL, week_ending TEXT NOT NULL, submitted_at TEXT NOT NULL,
        developments INTEGER NOT NULL, PRIMARY KEY (area_manager_id, week_ending)""",
    "ledger_rm_station_target": """
        station TEXT NOT NULL, month TEXT NOT NULL, cards INTEGER NOT NULL, top_up TEXT NOT NULL,
        agreed_at TEXT NOT NULL, PRIMARY KEY (station, month)""",
    "ledger_rm_channel": """
        channel_id TEXT PRIMARY KEY, address TEXT NOT NULL, kind TEXT NOT NULL, assigned_to TEXT NOT NULL,
        registered_at TEXT NOT NULL, retired_at TEXT""",
    "ledger_rm_lead": """
        position BIGINT PRIMARY KEY, customer_id TEXT NOT NULL, chosen TEXT NOT NULL,
        tier TEXT NOT NULL, pool TEXT NOT NULL, occurred_at TEXT NOT NULL,
        policy_version INTEGER NOT NULL""",
    "ledger_rm_policy": """
        version INTEGER PRIMARY KEY, effective_at TEXT NOT NULL, params TEXT NOT NULL""",
    "ledger_rm_file_read": """
        position BIGINT PRIMARY KEY, reader TEXT NOT NULL, customer_id TEXT NOT NULL,
        what TEXT NOT NULL, allowed INTEGER NOT NULL, reason TEXT NOT NULL,
        occurred_at TEXT NOT NULL""",
    "ledger_rm_data_share": """
        share_id TEXT PRIMARY KEY, recipient TEXT NOT NULL, purpose TEXT NOT NULL,
        scope TEXT NOT NULL, scope_values TEXT NOT NULL, valid_from TEXT NOT NULL,
        valid_to TEXT NOT NULL, status TEXT NOT NULL, requested_by TEXT NOT NULL,
        requested_at TEXT NOT NULL, approved_by TEXT, approved_at TEXT, note TEXT,
        revoked_by TEXT, revoked_at TEXT, revoke_reason TEXT, uses INTEGER NOT NULL,
        last_used_at TEXT""",
    "ledger_rm_data_share_item": """
        share_id TEXT NOT NULL, scope TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (share_id, value)""",
    "ledger_rm_data_export": """
        export_id TEXT PRIMARY KEY, position BIGINT NOT NULL, actor TEXT NOT NULL,
        recipient TEXT NOT NULL, purpose TEXT NOT NULL, customer_ids TEXT NOT NULL,
        occurred_at TEXT NOT NULL, outcome TEXT NOT NULL, share_id TEXT, code TEXT,
        message TEXT""",
    "ledger_rm_data_export_item": """
        export_id TEXT NOT NULL, customer_id TEXT NOT NULL, PRIMARY KEY (export_id, customer_id)""",
    "ledger_rm_violation": """
        violation_id TEXT PRIMARY KEY, position BIGINT NOT NULL, staff_id TEXT NOT NULL,
        severity TEXT NOT NULL, description TEXT NOT NULL, export_id TEXT,
        occurred_at TEXT NOT NULL, recorded_by TEXT NOT NULL, warned_at TEXT,
        stop_ordered_at TEXT, investigation TEXT, investigation_opened_at TEXT,
        investigation_closed_at TEXT, finding TEXT, terminated_at TEXT, plan TEXT""",
}

INDEXES = (
    "ledger_rm_holding_asof ON ledger_rm_holding (customer_id, valid_from)",
    "ledger_rm_holding_rep ON ledger_rm_holding (holder, valid_from)",
    "ledger_rm_customer_holder ON ledger_rm_customer (holder)",
    "ledger_rm_custody_customer ON ledger_rm_custody (customer_id, occurred_at)",
    "ledger_rm_custody_time ON ledger_rm_custody (occurred_at)",
    "ledger_rm_contact_customer ON ledger_rm_contact (customer_id, occurred_at)",
    "ledger_rm_contact_staff ON ledger_rm_contact (staff_id, occurred_at)",
    "ledger_rm_grade_customer ON ledger_rm_grade (customer_id, occurred_at)",
    "ledger_rm_lead_time ON ledger_rm_lead (occurred_at)",
    "ledger_rm_complaint_customer ON ledger_rm_complaint (customer_id)",
    "ledger_rm_trip_customer ON ledger_rm_trip (customer_id, occurred_at)",
    "ledger_rm_trip_callback_trip ON ledger_rm_trip_callback (trip_id)",
    "ledger_rm_file_entry_customer ON ledger_rm_file_entry (customer_id)",
    "ledger_rm_warning_customer ON ledger_rm_warning (customer_id)",
    "ledger_rm_file_read_customer ON ledger_rm_file_read (customer_id, occurred_at)",
    "ledger_rm_file_read_reader ON ledger_rm_file_read (reader, occurred_at)",
    "ledger_rm_data_share_item_value ON ledger_rm_data_share_item (scope, value)",
    "ledger_rm_data_export_actor ON ledger_rm_data_export (actor, occurred_at)",
    "ledger_rm_data_export_item_customer ON ledger_rm_data_export_item (customer_id)",
    "ledger_rm_violation_staff ON ledger_rm_violation (staff_id, occurred_at)",
)


# Indexes only queries use (no handler reads through them), on the tables that grow with every
# contact and move. A bulk catch-up drops them and builds each once at the end: kept during the
# load, every event wrote a random page of each (at 1 M customers the read-model writer wrote
# 35x the file's size and starved the import of disk).
QUERY_ONLY_INDEXES = (
    "ledger_rm_holding_rep",
    "ledger_rm_customer_holder",
    "ledger_rm_custody_customer",
    "ledger_rm_custody_time",
    "ledger_rm_contact_customer",
    "ledger_rm_contact_staff",
    "ledger_rm_grade_customer",
)


def query_index_statements() -> tuple[list[str], list[str]]:
    """(drop, create) statements for the query-only indexes."""
    chosen = [i for i in INDEXES if i.split()[0] in QUERY_ONLY_INDEXES]
    drops = [f"DROP INDEX IF EXISTS {i.split()[0]}" for i in chosen]
    return drops, [f"CREATE INDEX IF NOT EXISTS {i}" for i in chosen]


def columns(table: str) -> list[str]:
    """The column names a table's DDL declares, to probe a live table for the same layout."""
    ddl = re.sub(r"PRIMARY KEY \([^)]*\)", "", TABLES[table])
    return [part.split()[0] for part in ddl.split(",") if part.strip()]


def create_statements() -> list[str]:
    tables = [f"CREATE TABLE IF NOT EXISTS {name} ({cols})" for name, cols in TABLES.items()]
    return tables + [f"CREATE INDEX IF NOT EXISTS {index}" for index in INDEXES]


def drop_statements() -> list[str]:
    return [f"DROP TABLE IF EXISTS {name}" for name in (*TABLES, TRACKING_TABLE)]


def ts(at: datetime) -> str:
    """Fixed-width UTC text: compares as time on both stores."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)
