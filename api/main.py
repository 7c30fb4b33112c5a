"""The FastAPI application: thin routes over the ledger."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors, web
from api.limits import BodyLimit
from api.routes import (
    compliance,
    custody,
    development,
    events,
    integrity,
    policy,
    privacy,
    queries,
    records,
    staff,
    workflows,
)
from api.storewatch import FailFast, StoreWatch
from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.guard import open_ledger
from projections.readmodels import ReadModels


def create_app(settings: LedgerSettings | None = None) -> FastAPI:
    settings = settings or LedgerSettings()
    ledger = open_ledger(settings)
    api = FastAPI(
        title="Customer ownership ledger",
        version="0.1.0",
        description="Every move of a customer is an immutable event; the company stays in control.",
    )
    api.state.ledger = ledger
    read_models = ReadModels(ledger)
    read_models.start()
    api.state.read_models = read_models
    # A POST answers once its command is recorded; the next read waits for it (`models`).
    api.state.after_write = read_models.acknowledge
    errors.install(api)
    watch = StoreWatch(settings.database_url, on_recovery=lambda: refresh_pools(ledger))
    watch.start()
    api.state.store_watch = watch
    api.add_middleware(FailFast, watch=watch)
    api.add_middleware(BodyLimit)
    routers = (
        staff,
        custody,
        records,
        workflows,
        development,
        policy,
        events,
        queries,
        integrity,
        privacy,
        web,
    )
    for router in (module.router for module in (*routers, compliance)):
        api.include_router(router)

    @api.get("/health", tags=["health"])
    def health() -> dict[str, object]:
        """Liveness plus the store in use and how many events it holds."""
        events = ledger.event_count() if settings.database_url is None else watch.probe()
        if events is None:
            return {"status": "store_unavailable", "store": settings.store_kind, "events": None}
        projected = read_models.position()
        return {
            "status": "ok",
            "store": settings.store_kind,
            "events": events,
            "read_models": {"position": projected, "lag": max(events - projected, 0)},
        }

    return api


def refresh_pools(ledger: OwnershipLedger) -> None:
    """Replace connections broken by a database restart in every pool the ledger uses."""
    recorders = [ledger.recorder, ledger.snapshots.recorder if ledger.snapshots else None]
    for recorder in recorders:
        pool = getattr(getattr(recorder, "datastore", None), "pool", None)
        if pool is not None and hasattr(pool, "check"):
            pool.check()
