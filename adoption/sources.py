"""Reading a CRM's CSV files: line numbers that match a text editor's, columns checked first."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from ledger.commands.importing import ImportRow, Origin, Skipped, bad
from ledger.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Line:
    """One record of a CSV file, with the line it starts on."""

    file: str
    line: int
    values: Mapping[str, str]

    def get(self, column: str | None) -> str:
        return (self.values.get(column) or "").strip() if column else ""

    def origin(self, **columns: str) -> Origin:
        return Origin(self.file, self.line, columns)


def read_csv(path: Path, required: Iterable[str]) -> Iterator[Line | Skipped]:
    """Every record of `path`; a file without a required column is refused before any line.

    A record with more or fewer fields than the header is a skipped line, not a guess; quoted
    fields may span lines, so a record's line is where it starts.
    """
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")  # Excel and HubSpot write a BOM
    except OSError as error:
        raise InvalidInput(
            "import_unreadable", f"{path}: {error.strerror or error}.", file=str(path)
        ) from None
    start = 1
    with handle:
        reader = csv.reader(handle)
        try:
            header = [column.strip() for column in next(reader)]
            missing = [column for column in required if column not in header]
            if missing:
                raise InvalidInput(
                    "import_missing_column",
                    f"{name} has no column {', '.join(missing)} (its columns: "
                    f"{', '.join(header)}).",
                    file=name,
                    columns=missing,
                )
            start = reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != len(header):
                    yield Skipped(
                        name,
                        line,
                        "",
                        "import_bad_line",
                        f"the line has {len(record)} fields, the header {len(header)}",
                    )
                    continue
                yield Line(name, line, dict(zip(header, record, strict=True)))
        except StopIteration:
            raise InvalidInput("import_empty_file", f"{name} is empty.", file=name) from None
        except UnicodeDecodeError:
            raise InvalidInput(
                "import_not_utf8",
                f"{name} is not UTF-8 text (near line {start}); save it as CSV UTF-8.",
                file=name,
                line=start,
            ) from None
        except csv.Error as error:
            raise InvalidInput(
                "import_bad_csv", f"{name} line {start}: {error}.", file=name, line=start
            ) from None


def header_of(path: Path) -> list[str]:
    """The file's columns, to choose among the names different exports give a field."""
    for record in read_csv(path, []):
        if isinstance(record, Line):
            return list(record.values)
    return []


def needed(path: Path, header: list[str], field: str, candidates: list[str]) -> str:
    """The column holding a required field; a file without one is refused before any line."""
    column = first_column(header, candidates)
    if column is None:
        raise InvalidInput(
            "import_missing_column",
            f"{path.name} has no {field} column (looked for {', '.join(candidates)}; its "
            f"columns: {', '.join(header)}).",
            file=path.name,
            columns=candidates,
        )
    return column


def first_column(header: Iterable[str], candidates: Iterable[str]) -> str | None:
    """The first of `candidates` the file has: exports name the same field differently."""
    present = set(header)
    return next((column for column in candidates if column in present), None)


@dataclass
class Prepared:
    """A source read into import rows, with what the report should say about it."""

    rows: list[ImportRow | Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


V = TypeVar("V")


def lookup(table: Mapping[str, V], value: str, origin: Origin, name: str, section: str) -> V:
    """A value the mapping names, or a refusal saying where to add it: never a guess."""
    if value in table:
        return table[value]
    raise unknown(value, origin, name, section)


def unknown(value: str, origin: Origin, name: str, section: str) -> InvalidInput:
    shown = repr(value) if value else "a blank value"
    return bad(origin, name, f"{shown} is not in the mapping's [{section}]; add it there")


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


# At one instant: staff before the customers they take, a registration before its grading,
# the first assignment before the moves after it, contacts next, the export's owners last.
RANK = {"staff": 0, "customer": 1, "grade": 2, "assign": 3, "history": 4, "contact": 5, "holder": 6}
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # where the report's skipped lines sort


class Timeline:
    """A source's rows in business-time order, each kind in its place at the same instant,
    and otherwise in the order they were read."""

    def __init__(self) -> None:
        self._rows: list[tuple[datetime, int, int, ImportRow | Skipped]] = []

    def add(self, at: datetime, kind: str, row: ImportRow) -> None:
        self._rows.append((at, RANK[kind], len(self._rows), row))

    def skip(self, row: Skipped) -> None:
        self._rows.append((EARLIEST, -1, len(self._rows), row))

    def rows(self) -> list[ImportRow | Skipped]:
        return [row for *_, row in sorted(self._rows, key=lambda item: item[:3])]


def export_time(given: datetime | None, path: Path) -> datetime:
    """When the export was taken: as given, else the file's own time."""
    return given or datetime.fromtimestamp(path.stat().st_mtime).astimezone()
