"""The FastAPI application: thin routes over the ledger."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.routes import custody, events, policy, staff
from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings


def create_app(settings: LedgerSettings | None = None) -> FastAPI:
    settings = settings or LedgerSettings()
    ledger = OwnershipLedger(settings)
    api = FastAPI(
        title="Customer ownership ledger",
        version="0.1.0",
        description="Every move of a customer is an immutable event; the company stays in control.",
    )
    api.state.ledger = ledger
    api.state.after_write = lambda position: None
    errors.install(api)
    for router in (staff.router, custody.router, policy.router, events.router):
        api.include_router(router)

    @api.get("/health", tags=["health"])
    def health() -> dict[str, object]:
        """Liveness plus the store in use and how many events it holds."""
        return {"status": "ok", "store": settings.store_kind, "events": ledger.event_count()}

    return api
