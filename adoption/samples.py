"""Example exports shaped like Salesforce's and HubSpot's, to try an import before the real one.

They carry what real exports carry and the importers must handle: owner changes as paired id
and name rows, 15- and 18-character ids, `Z` and `+0000` times, a deleted user still named in
the history, an inactive user, an owner change in the same second as the account's creation,
activities on other records. Each sample also returns its truth: who held what, from when.
"""

from __future__ import annotations

import csv
import random
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adoption.salesforce import case_safe

EXPORTED_AT = datetime(2025, 1, 1, tzinfo=UTC)
ROLES = ("Senior Account Executive", "Account Executive", "Sales Development Representative")
FIRST = ("Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun")
LAST = ("Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Tao", "Ming", "Hui", "Qiang", "Lin")


@dataclass
class Truth:
    """Each account's owners, `(since, user id15)`, in time order; and the export's users."""

    owners: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    deleted: str = ""
    created: dict[str, datetime] = field(default_factory=dict)

    def holder_at(self, account: str, at: datetime) -> str | None:
        held = [user for since, user in self.owners[account] if since <= at]
        return held[-1] if held else None


def _id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(12))


def _stamp(at: datetime, n: int) -> str:
    """Salesforce writes `Z`; a Data Loader configured otherwise writes `+0000`."""
    text = at.strftime("%Y-%m-%dT%H:%M:%S.000")
    return text + ("Z" if n % 2 else "+0000")


def _shown(id15: str, n: int) -> str:
    return case_safe(id15) if n % 3 else id15  # reports give 15 characters, the API 18


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _owner_change(
    history: list[list[str]],
    rng: random.Random,
    account: str,
    by: str,
    stamp: str,
    move: tuple[str, str],
    truth: Truth,
    n: int,
) -> None:
    """Salesforce's two rows of one owner change: the users' ids, then their names."""
    old, new = move
    ids = [_shown(old, n), _shown(new, n + 1)]
    for kind, values in (("EntityId", ids), ("Text", [truth.names[old], truth.names[new]])):
        history.append([_id(rng, "017"), account, by, stamp, "Owner", kind, *values])


def salesforce_export(folder: Path, accounts: int = 300, seed: int = 7) -> Truth:
    """Account.csv, AccountHistory.csv, User.csv and Task.csv in `folder`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    users = [_id(rng, "005") for _ in range(14)]
    for n, user in enumerate(users):
        truth.names[user] = f"{FIRST[n % 12]} {LAST[(n * 5) % 12]}{'' if n < 12 else ' Jr'}"
    truth.deleted = users[-1]  # named in the history, absent from User.csv
    reps = users[2:]
    user_rows = [
        [
            _shown(u, n),
            truth.names[u],
            "false" if n == 3 else "true",
            "Sales Director" if n < 2 else ROLES[n % 3],
            f"Team {n % 3 + 1}",
            "Guangdong",
            _stamp(datetime(2020, 1, 1, tzinfo=UTC), n),
        ]
        for n, u in enumerate(users[:-1])
    ]
    _write(
        folder / "User.csv",
        ["Id", "Name", "IsActive", "UserRole", "Department", "State", "CreatedDate"],
        user_rows,
    )
    account_rows, history, tasks = [], [], []
    start = datetime(2021, 1, 4, 9, tzinfo=UTC)
    for a in range(accounts):
        account = _id(rng, "001")
        created = start + timedelta(days=rng.randrange(0, 1200), seconds=rng.randrange(0, 30_000))
        truth.created[account] = created
        owner = rng.choice(reps[:-1])
        owners = [(created, owner)]
        history.append(
            [
                _id(rng, "017"),
                _shown(account, a),
                _shown(users[0], a),
                _stamp(created, a),
                "created",
                "",
                "",
                "",
            ]
        )
        at = created
        for change in range(rng.choice((0, 0, 1, 2, 3)) + (1 if a in (0, 1) else 0)):
            at = created if a == 0 and change == 0 else at + timedelta(days=rng.randrange(20, 200))
            if at >= EXPORTED_AT:
                break
            new = (
                truth.deleted
                if a % 17 == 1 and change == 0
                else rng.choice([r for r in reps if r != owner])
            )
            by = _shown(users[0], a)
            _owner_change(
                history,
                rng,
                _shown(account, a),
                by,
                _stamp(at, change),
                (owner, new),
                truth,
                change,
            )
            owner = new
            owners.append((at, owner))
        if owner == truth.deleted:  # a deleted user's customers were handed on before deletion
            at += timedelta(days=3)
            new = reps[0]
            _owner_change(
                history,
                rng,
                _shown(account, a),
                _shown(users[0], a),
                _stamp(at, a),
                (owner, new),
                truth,
                a,
            )
            owner = new
            owners.append((at, owner))
        truth.owners[account] = owners
        rating = rng.choice(("Hot", "Warm", "Cold", ""))
        source = rng.choice(("Web", "Phone Inquiry", "Other", ""))
        account_rows.append(
            [
                _shown(account, a),
                f"Account {a:04d} Trading Co",
                _shown(owner, a),
                _stamp(created, a),
                rating,
                source,
                rng.choice(("Guangdong", "Zhejiang", "Jiangsu")),
            ]
        )
        for t in range(rng.randrange(0, 4)):
            day = created + timedelta(days=rng.randrange(0, 400))
            if day >= EXPORTED_AT:
                continue
            doer = next(u for since, u in reversed(owners) if since <= day)
            what = _shown(account, t) if t < 2 else _id(rng, "006")  # the third on an opportunity
            tasks.append(
                [
                    _id(rng, "00T"),
                    what,
                    _shown(doer, t),
                    day.date().isoformat(),
                    f"Follow-up {t}",
                    rng.choice(("Call", "Email", "Meeting")),
                ]
            )
    _write(
        folder / "Account.csv",
        ["Id", "Name", "OwnerId", "CreatedDate", "Rating", "AccountSource", "BillingState"],
        account_rows,
    )
    _write(
        folder / "AccountHistory.csv",
        [
            "Id",
            "AccountId",
            "CreatedById",
            "CreatedDate",
            "Field",
            "DataType",
            "OldValue",
            "NewValue",
        ],
        history,
    )
    _write(
        folder / "Task.csv", ["Id", "WhatId", "OwnerId", "ActivityDate", "Subject", "Type"], tasks
    )
    return truth


def hubspot_export(folder: Path, companies: int = 200, seed: int = 11) -> Truth:
    """companies.csv and owners.csv in `folder`: only the current owner is known."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    owners = [str(100_000 + n * 7) for n in range(8)]
    roles = ("Senior Sales Rep", "Sales Rep", "Junior Sales Rep", "")
    owner_rows = []
    for n, owner in enumerate(owners):
        first, last = FIRST[n], LAST[(n * 7) % 12]
        truth.names[owner] = f"{first} {last}"
        owner_rows.append(
            [
                owner,
                first,
                last,
                f"{first.lower()}.{last.lower()}@example.com",
                f"Team {n % 2 + 1}",
                roles[n % 4],
            ]
        )
    _write(
        folder / "owners.csv",
        ["Owner ID", "First Name", "Last Name", "Email", "Team", "Role"],
        owner_rows,
    )
    rows = []
    for c in range(companies):
        record = str(5_000_000 + c * 13)
        created = datetime(2022, 1, 3, 8, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 20_000))
        owner = rng.choice([*owners, ""]) if c else owners[0]
        truth.created[record] = created
        truth.owners[record] = [(EXPORTED_AT, owner)] if owner else []
        shown = (
            truth.names[owner]
            if owner and c % 5
            else (
                f"{truth.names[owner].split()[0].lower()}.{truth.names[owner].split()[1].lower()}@example.com"
                if owner
                else ""
            )
        )
        tier = rng.choice(("Tier 1", "Tier 2", "Tier 3", ""))
        active = created + timedelta(days=rng.randrange(0, 300))
        rows.append(
            [
                record,
                f"Company {c:04d} Ltd",
                shown,
                created.strftime("%Y-%m-%d %H:%M"),
                active.strftime("%Y-%m-%d %H:%M"),
                rng.choice(("lead", "customer", "opportunity")),
                tier,
                "Zhejiang",
            ]
        )
    _write(
        folder / "companies.csv",
        [
            "Record ID",
            "Company name",
            "Company owner",
            "Create Date",
            "Last Activity Date",
            "Lifecycle Stage",
            "Ideal Customer Profile Tier",
            "State/Region",
        ],
        rows,
    )
    return truth
