"""The custody export as JSON, as one CSV (a `section` column: chain, event, policy), as a page."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from projections.export import CustodyExport
from projections.tabular import spreadsheet_safe

FORMATS = ("json", "csv", "html")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "html": "text/html"}
_pages = Environment(
    loader=PackageLoader("projections", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(iso: str | None) -> str:
    """`2024-09-01 09:30:00 UTC`: every stored time is UTC; the exact value is in JSON and CSV."""
    return f"{iso[:19].replace('T', ' ')} UTC" if iso else ""


_pages.filters["when"] = _when


def render(export: CustodyExport, kind: str) -> str:
    return {"json": as_json, "csv": as_csv, "html": as_html}[kind](export)


def as_json(export: CustodyExport) -> str:
    return json.dumps(export.to_dict(), indent=2, default=str)


def as_csv(export: CustodyExport) -> str:
    """One table a spreadsheet opens: the chain and verification first, then events, policies."""
    data = export.to_dict()
    head = data["chain_head"] or {}
    chain = {
        "section": "chain", "exported_at": data["exported_at"],
        "scope_customer_id": data["scope"]["customer_id"], "scope_from": data["scope"]["from"],
        "scope_to": data["scope"]["to"], "head_position": head.get("position"),
        "head_link": head.get("link"), "head_length": head.get("length"), **data["verification"],
    }  # fmt: skip
    chain |= {"after": data["after"], "next": data["next"]}  # a saved page says it is one
    rows = [
        chain,
        *({"section": "event", **r} for r in data["events"]),
        *({"section": "policy", **p} for p in data["policies"]),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(_cell(v)) for k, v in r.items()} for r in rows)
    return out.getvalue()


def as_html(export: CustodyExport) -> str:
    """A printable page (print CSS, no external assets): the rows, the links, the verdict."""
    data = export.to_dict()
    scope = data["scope"]
    customer = next((r["customer"] for r in data["events"] if r["customer"]), None)
    start, end = _when(scope["from"]) or "the start", _when(scope["to"]) or "now"
    if scope["customer_id"]:
        title = customer or scope["customer_id"]
        text = f"customer {title} ({scope['customer_id']}), business time from {start} to {end}"
    else:
        title = f"{start} to {end}"
        text = f"every customer, business time from {start} to before {end}"
    template = _pages.get_template("custody.html")
    text += _page_text(data["after"], data["next"])
    return template.render(x=data, v=data["verification"], title=title, scope_text=text)


def _page_text(after: int, next_after: int | None) -> str:
    """A printed page of a longer export must not pass for the whole of it."""
    if next_after is not None:
        return f"; this page: log positions {after + 1} to {next_after}, more follow after it"
    return f"; this page: log positions after {after}, the last" if after else ""


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return "" if value is None else value
