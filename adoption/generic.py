"""Any CSV whose columns a mapping names: another CRM's export, a spreadsheet, the ledger's own.

The mapping's [columns] say which column holds each field of the ledger's import layout, and
[values.FIELD] tables translate the file's words for the ledger's (a Chinese CRM's "移交" for
`assign`). A value no table translates is passed on as written and checked like any other, so
an unknown value is refused with its line and column, never guessed.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from adoption.mapping import MappingFile
from adoption.sources import Line, Prepared, read_csv
from ledger.commands.importing import LAYOUT, ImportRow, Skipped, skipped
from ledger.errors import LedgerError

REQUIRED = ("kind", "occurred_at")
REFS = ("customer_ref", "staff_ref")


def read_csv_mapped(path: Path, mapping: MappingFile) -> Prepared:
    """The file's rows in file order (an export is already in the order things happened)."""
    fields = [*LAYOUT, "source_id"]
    columns = {name: mapping.table("columns").get(name, "") for name in fields}
    for name, column in columns.items():
        if not isinstance(column, str):
            raise mapping.refuse(f"[columns].{name}", "must be one column name")
    values = {name: mapping.table("values").get(name, {}) for name in fields}
    for name, table in values.items():
        if not isinstance(table, dict):
            raise mapping.refuse(f"[values.{name}]", "must be a table of value = value")
    zone, namespace = mapping.zone(), mapping.text("namespace")
    prepared = Prepared()
    header: set[str] = set()
    for record in read_csv(path, [columns[name] or name for name in REQUIRED]):
        if isinstance(record, Skipped):
            prepared.rows.append(record)
            continue
        header = header or set(record.values)
        prepared.rows.append(_row(record, columns, values, zone, namespace))
    absent = sorted(
        c for n, c in columns.items() if c and header and c not in header and n != "source_id"
    )
    if absent:
        prepared.notes.append(f"{path.name} has no column {', '.join(absent)}: read as blank.")
    return prepared


def _row(
    record: Line,
    columns: dict[str, str],
    values: dict[str, dict[str, str]],
    zone: tzinfo | None,
    namespace: str,
) -> ImportRow | Skipped:
    row: dict[str, str] = {}
    for name, column in columns.items():
        text = record.get(column)
        text = str(values[name].get(text, text))
        if name in REFS and text and namespace:
            text = f"{namespace}:{text}"
        row[name] = text
    origin = record.origin(**{name: column for name, column in columns.items() if column})
    try:
        return ImportRow.from_layout(row, origin, zone)
    except LedgerError as refusal:
        return skipped(refusal, origin)
