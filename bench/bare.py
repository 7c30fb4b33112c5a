"""The floor of `GET /health`: a bare FastAPI route served by uvicorn with the same workers.

`python -m uvicorn bench.bare:app --workers N`: what the framework and the HTTP server cost on
this machine with no ledger behind them, the baseline the ledger's `/health` is compared with.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, object]:
    return {"status": "ok", "worker": os.getpid()}
