"""The TOML mapping files: which column is which, and what each CRM value means here."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.enums import ContactChannel, ContactKind, Role, Seniority, Source, Tier
from ledger.errors import InvalidInput


@dataclass(frozen=True)
class Person:
    """What a CRM role means in the ledger."""

    role: Role
    seniority: Seniority | None


@dataclass(frozen=True)
class Activity:
    kind: ContactKind
    channel: ContactChannel


class MappingFile:
    """The shipped defaults for a source, with a user's file replacing them table by table."""

    def __init__(self, kind: str, path: Path | None = None) -> None:
        self.name = f"{kind}.toml (defaults)"
        self.data: dict[str, Any] = tomllib.loads(self.default_text(kind))
        if path is not None:
            self.name = path.name
            try:
                own = tomllib.loads(path.read_text(encoding="utf-8"))
            except OSError as error:
                raise InvalidInput(
                    "mapping_unreadable", f"{path}: {error.strerror or error}.", file=str(path)
                ) from None
            except tomllib.TOMLDecodeError as error:
                raise InvalidInput(
                    "mapping_bad_toml", f"{path.name} is not TOML: {error}.", file=path.name
                ) from None
            self.data.update(own)

    @staticmethod
    def default_text(kind: str) -> str:
        return files("adoption.mappings").joinpath(f"{kind}.toml").read_text(encoding="utf-8")

    def refuse(self, where: str, reason: str) -> InvalidInput:
        return InvalidInput(
            "mapping_bad_value", f"{self.name} {where}: {reason}.", file=self.name, key=where
        )

    def table(self, section: str) -> dict[str, Any]:
        value = self.data.get(section, {})
        if not isinstance(value, dict):
            raise self.refuse(f"[{section}]", "must be a table")
        return value

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.refuse(key, "must be text")
        return value

    def columns(self, key: str) -> list[str]:
        """The candidate columns for `key` (a name or a list of names, first present wins)."""
        value = self.table("columns").get(key, [])
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise self.refuse(f"[columns].{key}", "must be a column name or a list of them")
        return names

    def values(self, section: str, enum: type[Enum]) -> dict[str, str]:
        """A value table whose every target is a member of `enum`, checked when read."""
        allowed = {member.value for member in enum}
        table: dict[str, str] = {}
        for key, value in self.table(section).items():
            if value not in allowed:
                choices = ", ".join(sorted(allowed))
                raise self.refuse(f'[{section}]."{key}"', f"{value!r} is not one of {choices}")
            table[key] = value
        return table

    def tiers(self) -> dict[str, str]:
        return self.values("tiers", Tier)

    def sources(self) -> dict[str, str]:
        return self.values("sources", Source)

    def people(self) -> dict[str, Person]:
        return {
            key: self.person(f'[roles]."{key}"', entry)
            for key, entry in self.table("roles").items()
        }

    def person(self, where: str, entry: Any) -> Person:
        if not isinstance(entry, dict):
            raise self.refuse(
                where, 'must be a table such as { role = "sales_rep", seniority = "new" }'
            )
        try:
            role = Role(entry.get("role"))
            seniority = Seniority(entry["seniority"]) if entry.get("seniority") else None
        except ValueError as error:
            raise self.refuse(where, str(error)) from None
        if role is Role.SALES_REP and seniority is None:
            raise self.refuse(where, "a sales_rep needs a seniority (senior, experienced, new)")
        return Person(role, seniority)

    def activities(self) -> dict[str, Activity]:
        found: dict[str, Activity] = {}
        for key, entry in self.table("activities").items():
            where = f'[activities]."{key}"'
            if not isinstance(entry, dict):
                raise self.refuse(
                    where, 'must be a table such as { kind = "call", channel = "company_phone" }'
                )
            try:
                found[key] = Activity(
                    ContactKind(entry.get("kind")), ContactChannel(entry.get("channel"))
                )
            except ValueError as error:
                raise self.refuse(where, str(error)) from None
        return found

    def zone(self) -> ZoneInfo | None:
        name = self.text("timezone")
        if not name:
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.refuse(
                "timezone", f'{name!r} is not a time zone such as "Asia/Shanghai"'
            ) from None
