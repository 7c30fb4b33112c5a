"""Jinja2 templates for the dashboard, with the few filters its pages share."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from api.permissions import allowed
from ledger.clock import utcnow
from ledger.commands.access import Principal
from ledger.errors import LedgerError

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def when(value: Any, with_time: bool = True) -> str:
    """A stored time (ISO text or datetime) as `2025-06-02 09:00` in UTC; blank for none."""
    if value in (None, ""):
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.0f}"
    except InvalidOperation:
        return str(value)


def percent(value: Any, digits: int = 0) -> str:
    return "" if value is None else f"{float(value):.{digits}%}"


templates.env.filters.update(when=when, money=money, percent=percent)


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CUSTOMER_ID = re.compile(rf"customer {UUID_TEXT.pattern}(?:'s)?")
CITATION = re.compile(r"\s*\((?:SEED-RULES|rules?) [^)]*\)")


def render_refusal(
    request: Request,
    status: int,
    message: str,
    permission: str | None = None,
    code: str | None = None,
) -> Response:
    """The one page for every refusal: 403 naming the permission, 404, 409, 422. It keeps the
    viewer's navigation and speaks names, not ids: a sales manager reads it, not a log."""
    # A refused file's customer stays unnamed: its name is part of what was refused.
    message = CUSTOMER_ID.sub("this customer", message)
    who = _signed_in(request)
    mentioned = set(UUID_TEXT.findall(message)) | ({who.actor} if who else set())
    names = _names(request, mentioned)
    spoken = CITATION.sub("", UUID_TEXT.sub(lambda m: names.get(m.group(), m.group()), message))
    return render(
        request,
        "refused.html",
        status,
        status_code=status,
        message=spoken,
        permission=permission,
        code=code,
        signed_in="ledger_session" in request.cookies,
        **_navigation(who, names),
    )


def _signed_in(request: Request) -> Principal | None:
    """The staff member behind the session cookie, or None (no cookie, a dead token, a client)."""
    token = request.cookies.get("ledger_session")
    if not token:
        return None
    try:
        who: Principal = request.app.state.ledger.principal(token, utcnow())
    except LedgerError:
        return None
    return who if who.role is not None else None


def _navigation(who: Principal | None, names: dict[str, str]) -> dict[str, Any]:
    """What base.html needs for the navigation of whoever is signed in (nothing if no one)."""
    if who is None:
        return {}
    may = {op: allowed(op, who.role, who.scopes) for op in ("reports.read", "access.audit")}
    me = {"name": names.get(who.actor, who.actor)}
    return {"me": me, "role": who.role, "may": may, "filters": SimpleNamespace(query="")}


def _names(request: Request, ids: set[str]) -> dict[str, str]:
    """Staff names for the ids a refusal mentions, from the read models."""
    if not ids:
        return {}
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    params = {f"i{n}": value for n, value in enumerate(sorted(ids))}
    found: dict[str, str] = {}
    with request.app.state.read_models.read() as tx:
        rows = tx.all(
            f"SELECT staff_id, name FROM ledger_rm_staff WHERE staff_id IN ({marks})", params
        )
        found |= {row["staff_id"]: row["name"] for row in rows}
    return found
