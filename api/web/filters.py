"""The instant and period a page is about, read from the query string as the API reads them.

`at`, `from` (inclusive) and `to` (exclusive) mean what they mean on `GET /reports/{name}`;
a date alone is midnight UTC. The same values ride along on every link of the navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from api.web.session import PageRefused
from ledger.clock import aware, utcnow
from ledger.errors import InvalidInput
from projections.reports import Period

Text = Annotated[str | None, Query(max_length=40)]


def moment(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise PageRefused(422, f"{name}: expected a date like 2025-12-31, got {text!r}.") from None
    try:
        return aware(value if value.tzinfo else value.replace(tzinfo=UTC), name)
    except InvalidInput as refusal:
        raise PageRefused(422, refusal.message) from None


@dataclass(frozen=True)
class Filters:
    at: str | None = None
    start: str | None = None
    end: str | None = None
    top: int | None = None
    days: int | None = None

    def period(self, top: int = 20) -> Period:
        """The reports' `Period`; `top` is the page's own default when none is asked for."""
        return Period(
            at=moment(self.at, "at") or utcnow(), start=moment(self.start, "from"),
            end=moment(self.end, "to"), days=self.days, top=self.top or top,
        )  # fmt: skip

    @property
    def query(self) -> str:
        """`?at=…&from=…&to=…` for the navigation links (empty when nothing is set)."""
        pairs = {"at": self.at, "from": self.start, "to": self.end}
        given = {k: v for k, v in pairs.items() if v}
        return f"?{urlencode(given)}" if given else ""


def number(text: str | None, name: str, most: int) -> int | None:
    """A whole number from a form field; a field left empty means the default."""
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise PageRefused(422, f"{name}: expected a whole number from 1 to {most}, got {text!r}.")
    return int(text)


def filters(
    at: Text = None,
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    top: Text = None,
    days: Text = None,
) -> Filters:
    chosen = Filters(
        at or None, start or None, end or None,
        number(top, "top", 1000), number(days, "days", 3650),
    )  # fmt: skip
    chosen.period()  # a bad date is refused before the page runs
    return chosen
