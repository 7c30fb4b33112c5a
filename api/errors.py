"""Domain errors to HTTP, in one table; bad input is never a 500."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.errors import LedgerError

STATUS_BY_KIND = {
    "rule": 409,
    "conflict": 409,
    "input": 422,
    "not_found": 404,
    "stale": 412,
    "unavailable": 503,
    "forbidden": 403,
}


# What the edge itself answers before any rule is asked: the one envelope, a stable code each.
CODE_BY_STATUS = {
    400: "bad_request",
    401: "missing_token",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    503: "unavailable",
}


class ApiError(HTTPException):
    """A refusal at the edge (no token, a role the door does not let in, a malformed header)
    with its code and numbers, answered in the same envelope as the domain's refusals."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(status, message, headers)
        self.code = code
        self.params = params


def encodable(text: str) -> str:
    """`text` with anything UTF-8 cannot carry (a lone surrogate in a key) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def validation_body(error: RequestValidationError) -> dict[str, object]:
    """The schema's refusal in the one envelope, naming each field and never echoing the
    input: a lone surrogate or a megabyte of text in it could not even be encoded back."""
    problems = [
        {
            "field": ".".join(str(part) for part in e["loc"]),
            "problem": str(e["msg"]),
            "type": e["type"],
        }
        for e in error.errors()
    ]
    malformed = any(p["type"] == "json_invalid" for p in problems)
    fields = ", ".join(str(p["field"]) for p in problems[:5])
    return {
        "code": "invalid_json" if malformed else "invalid_request",
        "message": "The body is not valid JSON."
        if malformed
        else f"Invalid value for {fields}: " + "; ".join(str(p["problem"]) for p in problems[:3]),
        "params": {"errors": problems},
    }


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"error": validation_body(error)})

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        """The edge's refusals and the router's own (unknown path, wrong method)."""
        body = {
            "code": getattr(error, "code", None) or CODE_BY_STATUS.get(error.status_code, "error"),
            "message": encodable(str(error.detail)),
            "params": getattr(error, "params", {}),
        }
        return JSONResponse(
            status_code=error.status_code, content={"error": body}, headers=error.headers
        )

    @app.exception_handler(LedgerError)
    def ledger_error(request: Request, error: LedgerError) -> JSONResponse:
        status = STATUS_BY_KIND.get(error.kind, 400)
        headers = {"Retry-After": "1"} if error.kind in ("conflict", "unavailable") else None
        return JSONResponse(status_code=status, content={"error": error.as_dict()}, headers=headers)

    @app.exception_handler(PersistenceError)
    def store_unavailable(request: Request, error: PersistenceError) -> JSONResponse:
        """The store is down or restarting: fail fast, nothing half-done, try again shortly."""
        body = {
            "code": "store_unavailable",
            "message": "The event store is not reachable; nothing was stored. Retry shortly.",
            "params": {"detail": type(error).__name__},
        }
        return JSONResponse(status_code=503, content={"error": body}, headers={"Retry-After": "2"})
