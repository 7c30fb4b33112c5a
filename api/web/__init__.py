"""The web dashboard: server-rendered pages behind the API's own tokens and permission table."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import audit, entry, pages

router = APIRouter()
for module in (entry, pages, audit):
    router.include_router(module.router)
