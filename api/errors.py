"""Domain errors to HTTP, in one table; bad input is never a 500."""

from __future__ import annotations

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


def install(app: FastAPI) -> None:
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
