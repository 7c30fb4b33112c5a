"""Logging in and out of the dashboard with an API token, and its stylesheet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from api.web.render import HERE, render
from api.web.session import COOKIE, LOGIN, PageRoute
from ledger.application import OwnershipLedger
from ledger.clock import utcnow
from ledger.errors import LedgerError

router = APIRouter(prefix="/ui", route_class=PageRoute, include_in_schema=False)
Next = Annotated[str, Query(max_length=2000)]


def safe_next(path: str) -> str:
    """Only back to a dashboard page on this server, never to another site."""
    return path if path.startswith("/ui/") and not path.startswith("//") else "/ui/"


@router.get("/login")
def login_form(request: Request, next: Next = "/ui/") -> Response:
    return render(request, "login.html", next=safe_next(next), problem=None)


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/ui/",
) -> Response:
    """Check the token as the API would; a staff token becomes an HttpOnly, SameSite cookie."""
    ledger: OwnershipLedger = request.app.state.ledger
    try:
        who = ledger.principal(token.strip(), utcnow())
    except LedgerError as refusal:
        return render(request, "login.html", 401, next=safe_next(next), problem=refusal.message)
    if who.role is None:
        problem = "Integration client tokens do not open the dashboard; use a staff token."
        return render(request, "login.html", 403, next=safe_next(next), problem=problem)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE, token.strip(), httponly=True, samesite="strict", path="/ui",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("/static/dashboard.css")
def stylesheet() -> Response:
    return FileResponse(HERE / "static" / "dashboard.css", media_type="text/css")
