"""The FastAPI application: thin routes over the ledger."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api import errors, web
from api.contract import document
from api.deps import PrincipalCache
from api.limits import BodyLimit
from api.positions import PositionHeaders
from api.routes import (
    compliance,
    custody,
    development,
    directory,
    events,
    integrity,
    policy,
    privacy,
    queries,
    records,
    staff,
    workflows,
)
from api.security import SecurityHeaders
from api.storewatch import FailFast, StoreWatch
from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from projections.guard import open_ledger
from projections.readmodels import ReadModels


class ReadModelsHealth(BaseModel):
    position: int
    lag: int


class HealthOut(BaseModel):
    status: str
    store: str
    events: int | None
    read_models: ReadModelsHealth | None = None
    worker: int


def create_app(settings: LedgerSettings | None = None, projector: bool = True) -> FastAPI:
    """The API over the configured store.

    `projector=True` keeps the read models from a thread of this process (tests, and any one-
    process embedding); `ledger serve` runs its workers with `projector=False` beside a
    `ledger project` process.
    """
    settings = settings or LedgerSettings()
    ledger = open_ledger(settings)
    api = FastAPI(
        title="Customer ownership ledger",
        version="0.1.0",
        description="Every move of a customer is an immutable event; the company stays in control.",
        generate_unique_id_function=operation_id,
    )
    api.state.ledger = ledger
    read_models = ReadModels(ledger, writer=projector)
    if projector:
        read_models.start()
    api.state.read_models = read_models
    # In one process, a write tells the follower thread at once; workers have none to tell.
    api.state.after_write = read_models.nudge if projector else lambda: None
    api.state.principals = PrincipalCache()
    errors.install(api)
    watch = StoreWatch(
        settings.database_url, lambda: refresh_pools(ledger), settings.postgres_schema
    )
    watch.start()
    api.state.store_watch = watch
    api.add_middleware(FailFast, watch=watch)
    api.add_middleware(BodyLimit)
    api.add_middleware(PositionHeaders)
    api.add_middleware(SecurityHeaders)
    health_now = HealthProbe(settings, ledger, read_models, watch)

    @api.get("/health", tags=["health"])
    async def get_health() -> HealthOut:
        """Liveness, the store in use, its last position and how far the read models lag.

        Never opens a connection, and runs on the event loop: a load balancer's checks do not
        queue behind requests in the thread pool.
        """
        return health_now()

    routers = (
        directory,
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
    serve_openapi_once(api)
    return api


def worker_app() -> FastAPI:
    """One of `ledger serve`'s worker processes: reads and writes, the projector is elsewhere.

    It shuts down when its supervisor is gone: uvicorn's workers otherwise outlive a `kill -9`
    of `ledger serve` and go on holding its port.
    """
    # From `ledger serve` itself: a worker still starting when its supervisor died would find
    # its parent already gone.
    parent = int(os.environ.get("LEDGER_SUPERVISOR_PID") or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's own graceful shutdown

    if parent != os.getpid():  # with one worker, uvicorn serves from the supervisor itself
        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return create_app(LedgerSettings(), projector=False)


def operation_id(route: APIRoute) -> str:
    """The route function's own name (`assign_customer`): stable for generated clients, and
    unique, which a test checks."""
    return route.name


def serve_openapi_once(api: FastAPI) -> None:
    """The document never changes while the process runs: build and encode it once."""
    built: list[dict[str, object]] = []
    encoded: list[bytes] = []

    def openapi() -> dict[str, object]:
        if not built:
            built.append(document(api))
        return built[0]

    async def openapi_route(request: Request) -> Response:
        if not encoded:
            encoded.append(json.dumps(openapi(), separators=(",", ":")).encode())
        return Response(encoded[0], media_type="application/json")

    api.openapi = openapi  # type: ignore[method-assign]
    api.router.routes[:] = [
        r for r in api.router.routes if getattr(r, "path", None) != api.openapi_url
    ]
    api.add_route(api.openapi_url or "/openapi.json", openapi_route, include_in_schema=False)


class HealthProbe:
    """The store's last position and the read models'.

    SQLite answers from two indexed one-row queries on connections this thread already has;
    PostgreSQL from the store watch's last probe (at most `PROBE_EVERY` old), so a load
    balancer's checks never open a connection.
    """

    def __init__(
        self,
        settings: LedgerSettings,
        ledger: OwnershipLedger,
        models: ReadModels,
        watch: StoreWatch,
    ) -> None:
        self.settings, self.ledger, self.models, self.watch = settings, ledger, models, watch

    def __call__(self) -> HealthOut:
        kind, worker = self.settings.store_kind, os.getpid()
        latest: tuple[int, int] | None
        if self.settings.database_url is None:
            latest = self.ledger.event_count(), self.models.served_position()
        else:
            latest = self.watch.latest if self.watch.up.is_set() else None
        if latest is None:
            return HealthOut(status="store_unavailable", store=kind, events=None, worker=worker)
        events, projected = latest
        lag = ReadModelsHealth(position=projected, lag=max(events - projected, 0))
        return HealthOut(status="ok", store=kind, events=events, read_models=lag, worker=worker)


def refresh_pools(ledger: OwnershipLedger) -> None:
    """Replace connections broken by a database restart in every pool the ledger uses."""
    recorders = [ledger.recorder, ledger.snapshots.recorder if ledger.snapshots else None]
    for recorder in recorders:
        pool = getattr(getattr(recorder, "datastore", None), "pool", None)
        if pool is not None and hasattr(pool, "check"):
            pool.check()
