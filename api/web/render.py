"""Jinja2 templates for the dashboard, with the few filters its pages share."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

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


def render_refusal(
    request: Request,
    status: int,
    message: str,
    permission: str | None = None,
    code: str | None = None,
) -> Response:
    """The one page for every refusal: 403 naming the permission, 404, 409, 422."""
    return render(
        request, "refused.html", status, status_code=status, message=message,
        permission=permission, code=code, signed_in="ledger_session" in request.cookies,
    )  # fmt: skip
