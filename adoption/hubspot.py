"""HubSpot's companies export and owners list as the ledger's customers and holders.

HubSpot's export states each company's current owner, not who owned it before: the ledger
records that owner as holding the company from the export's date, and the report says so. A
later export imported again moves only the companies whose owner changed, at its own date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from adoption.mapping import MappingFile
from adoption.sources import (
    EARLIEST,
    Line,
    Prepared,
    Timeline,
    export_time,
    first_column,
    header_of,
    lookup,
    needed,
    read_csv,
)
from ledger.commands.importing import ImportRow, Origin, Skipped, bad, parse_time, skipped
from ledger.enums import Tier
from ledger.errors import LedgerError


@dataclass(frozen=True)
class HubSpotFiles:
    companies: Path
    owners: Path
    exported_at: datetime | None = None


@dataclass(frozen=True)
class _Owner:
    ref: str
    row: ImportRow


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class HubSpotReader:
    def __init__(self, files: HubSpotFiles, mapping: MappingFile) -> None:
        self.files, self.mapping = files, mapping
        self.zone = mapping.zone()
        self.people = mapping.people()
        self.tiers = mapping.tiers()
        self.owners: dict[str, _Owner] = {}  # by owner id, email and name
        self.joined: dict[str, datetime] = {}
        self.out = Timeline()
        self.notes: list[str] = []

    def _emit(self, at: datetime, kind: str, row: ImportRow) -> None:
        self.out.add(at, kind, row)

    def _skip(self, record: Skipped | LedgerError, origin: Origin | None = None) -> None:
        row = record if isinstance(record, Skipped) else skipped(record, origin or Origin("", 0))
        self.out.skip(row)

    def prepare(self) -> Prepared:
        exported = export_time(self.files.exported_at, self.files.companies)
        self._read_owners()
        held = self._read_companies(exported)
        for owner in {id(o): o for o in self.owners.values()}.values():
            at = min(self.joined.get(owner.ref, exported), exported)
            self._emit(at, "staff", replace(owner.row, at=at))
        self.notes.append(
            f"HubSpot exports each company's current owner only: {held:,} companies are recorded "
            f"as held by it from the export's date ({exported.isoformat()}); who held them "
            "before is not in the files."
        )
        return Prepared(self.out.rows(), self.notes)

    def _column(self, header: list[str], name: str) -> str | None:
        return first_column(header, self.mapping.columns(name))

    def _read_owners(self) -> None:
        path = self.files.owners
        header = header_of(path)
        first, last = self._column(header, "owner_first"), self._column(header, "owner_last")
        email, ident = self._column(header, "owner_email"), self._column(header, "owner_id")
        if not (first or email):
            needed(
                path,
                header,
                "owner name or email",
                [*self.mapping.columns("owner_first"), *self.mapping.columns("owner_email")],
            )
        role_column, team = self._column(header, "owner_role"), self._column(header, "owner_team")
        for record in read_csv(path, []):
            if isinstance(record, Skipped):
                self._skip(record)
                continue
            name = f"{record.get(first)} {record.get(last)}".strip() or record.get(email)
            ref = record.get(ident) or record.get(email)
            origin = record.origin(
                staff_ref=ident or email or "",
                name=first or email or "",
                role=role_column or "Role",
            )
            try:
                if not ref:
                    raise bad(origin, "staff_ref", "an owner needs an id or an email")
                person = lookup(self.people, record.get(role_column), origin, "role", "roles")
            except LedgerError as refusal:
                self._skip(refusal, origin)
                continue
            row = ImportRow(
                kind="staff",
                at=EARLIEST,
                origin=origin,
                staff_ref=f"hubspot:{ref}",
                name=name,
                role=person.role,
                seniority=person.seniority,
                team=record.get(team),
            )
            owner = _Owner(row.staff_ref, row)
            for key in (record.get(ident), record.get(email), name):
                if key:
                    self.owners.setdefault(_key(key), owner)

    def _read_companies(self, exported: datetime) -> int:
        path = self.files.companies
        header = header_of(path)
        cols = {
            name: needed(path, header, name, self.mapping.columns(name))
            for name in ("id", "name", "created", "owner")
        }
        tier_column, area = self._column(header, "tier"), self._column(header, "area")
        if "Last Activity Date" in header:
            self.notes.append(
                "Last Activity Date is not recorded as a contact: HubSpot does not say who made "
                "it, and a contact in the ledger is always someone's."
            )
        held = 0
        for record in read_csv(path, []):
            if isinstance(record, Skipped):
                self._skip(record)
                continue
            try:
                held += self._company(record, cols, tier_column, area, exported)
            except LedgerError as refusal:
                self._skip(refusal, record.origin())
        return held

    def _company(
        self,
        record: Line,
        cols: dict[str, str],
        tier_column: str | None,
        area: str | None,
        exported: datetime,
    ) -> int:
        origin = record.origin(
            customer_ref=cols["id"],
            name=cols["name"],
            occurred_at=cols["created"],
            staff_ref=cols["owner"],
            tier=tier_column or "",
        )
        created = parse_time(record.get(cols["created"]), origin, "occurred_at", self.zone)
        ref = record.get(cols["id"])
        if not ref:
            raise bad(origin, "customer_ref", "a company needs its Record ID")
        tier = record.get(tier_column)
        grade = lookup(self.tiers, tier, origin, "tier", "tiers") if tier else None
        shown = record.get(cols["owner"])
        owner = self.owners.get(_key(shown)) if shown else None
        if shown and owner is None:
            raise bad(origin, "staff_ref", f"no owner in {self.files.owners.name} is {shown!r}")
        customer = f"hubspot:{ref}"
        self._emit(
            created,
            "customer",
            ImportRow(
                kind="customer",
                at=created,
                origin=origin,
                customer_ref=customer,
                name=record.get(cols["name"]),
                area=record.get(area),
                source_id=ref,
            ),
        )
        if grade:
            self._emit(
                created,
                "grade",
                ImportRow(
                    kind="grade", at=created, origin=origin, customer_ref=customer, tier=Tier(grade)
                ),
            )
        if owner is None:
            return 0
        self.joined[owner.ref] = min(self.joined.get(owner.ref, created), created)
        self._emit(
            exported,
            "holder",
            ImportRow(
                kind="holder",
                at=max(exported, created),
                origin=origin,
                customer_ref=customer,
                staff_ref=owner.ref,
            ),
        )
        return 1


def read_hubspot(files: HubSpotFiles, mapping: MappingFile) -> Prepared:
    return HubSpotReader(files, mapping).prepare()
