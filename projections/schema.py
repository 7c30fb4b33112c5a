"""The read-model tables: one DDL for SQLite and PostgreSQL, every name prefixed `ledger_rm_`.

Times are stored as fixed-width UTC ISO-8601 text, so text order is time order on both stores
and `FOREVER` stands for an open end (an index range works where NULL would not).
"""

from __future__ import annotations

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
        last_contact_at TEXT, last_holder_contact_at TEXT, updated_at TEXT NOT NULL""",
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
        caller TEXT, expense TEXT, expense_at TEXT""",
    "ledger_rm_contract": """
        customer_id TEXT NOT NULL, contract_ref TEXT NOT NULL, value TEXT NOT NULL,
        occurred_at TEXT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (customer_id, contract_ref)""",
    "ledger_rm_complaint": """
        complaint_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, summary TEXT NOT NULL,
        logged_at TEXT NOT NULL, resolved_at TEXT, resolution TEXT""",
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
)


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
