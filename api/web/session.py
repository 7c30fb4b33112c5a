"""The dashboard's door: the API's own tokens in an HttpOnly cookie, checked against PERMISSIONS.

A page is the API's door with a browser in front: the same token, the same role, the same
permission table, the same audited read of a customer file. Refusals become pages, not JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from api.errors import STATUS_BY_KIND
from api.permissions import allowed
from api.web.render import render_refusal
from ledger.application import OwnershipLedger
from ledger.clock import utcnow
from ledger.commands.access import Principal
from ledger.errors import LedgerError

COOKIE = "ledger_session"
LOGIN = "/ui/login"


class LoginRequired(Exception):
    """No valid session: send the browser to the login form, then back to `next`."""

    def __init__(self, next_path: str, clear: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.clear = clear


class PageRefused(Exception):
    """A page the caller may not see, or cannot be shown: rendered as an HTML refusal."""

    def __init__(self, status: int, message: str, permission: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.permission = permission


def login_redirect(next_path: str, clear: bool) -> Response:
    response = RedirectResponse(f"{LOGIN}?next={quote(next_path)}", status_code=303)
    if clear:
        response.delete_cookie(COOKIE, path="/ui")
    return response


class PageRoute(APIRoute):
    """Routes whose refusals (login, permission, domain rule, bad input) render as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as missing:
                return login_redirect(missing.next_path, missing.clear)
            except PageRefused as refused:
                return render_refusal(request, refused.status, refused.message, refused.permission)  # fmt: skip
            except LedgerError as error:
                status = STATUS_BY_KIND.get(error.kind, 400)
                return render_refusal(request, status, error.message, code=error.code)
            except HTTPException as error:
                return render_refusal(request, error.status_code, str(error.detail))
            except RequestValidationError as error:
                return render_refusal(request, 422, _first_problem(error.errors()))

        return page


def _first_problem(errors: Any) -> str:
    first: dict[str, Any] = next(iter(errors), {})
    where = ".".join(str(part) for part in first.get("loc", ())[1:])
    return f"{where}: {first.get('msg', 'invalid input')}"


def session_principal(request: Request) -> Principal:
    """The staff member behind the session cookie, or a redirect to the login form."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired(here)
    ledger: OwnershipLedger = request.app.state.ledger
    try:
        who = ledger.principal(token, utcnow())
    except LedgerError:  # revoked, unknown, or its person has left: log in again
        raise LoginRequired(here, clear=True) from None
    if who.role is None:
        raise LoginRequired(here, clear=True)
    return who


def viewer(operation: str) -> Callable[[Request], Principal]:
    """A page dependency letting through only the roles that PERMISSIONS gives `operation`."""

    def check(request: Request) -> Principal:
        who = session_principal(request)
        if not allowed(operation, who.role, who.scopes):
            role = who.role.value if who.role else "this client"
            raise PageRefused(403, f"{role} may not {operation}.", permission=operation)
        return who

    return check
