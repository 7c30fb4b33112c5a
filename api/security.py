"""Headers a browser needs to treat the ledger's answers safely, and no cross-site form posts.

Every answer: `nosniff` (a JSON or CSV body is never run as a script or page) and no framing
(the dashboard cannot be overlaid by another site to steal clicks). The dashboard's pages also
get a content security policy: nothing loads from elsewhere, no script runs, forms post only
back here. Its forms (login, logout) refuse a POST whose `Origin` is another site: the session
cookie is `SameSite=Strict`, but a cross-site login would sign the victim in as the attacker.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERYWHERE = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
PAGE_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGES = "/ui"


def same_origin(scope: Scope) -> bool:
    """No `Origin` (not a browser's cross-site form) or this very host."""
    headers = dict(scope.get("headers", ()))
    origin = headers.get(b"origin")
    if origin is None:
        return True
    return bool(origin.split(b"://", 1)[-1] == headers.get(b"host", b""))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = scope["path"].startswith(PAGES)
        if page and scope["method"] == "POST" and not same_origin(scope):
            refusal = JSONResponse(
                status_code=403,
                content={
                    "error": {
                        "code": "cross_site_form",
                        "message": "A dashboard form was posted from another site; nothing was done.",
                        "params": {},
                    }
                },
            )
            await refusal(scope, receive, self._with_headers(send, page))
            return
        await self.app(scope, receive, self._with_headers(send, page))

    @staticmethod
    def _with_headers(send: Send, page: bool) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [*EVERYWHERE]
                if page:
                    extra.append((b"content-security-policy", PAGE_POLICY.encode()))
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        return sending
