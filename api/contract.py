"""The OpenAPI document as the contract: every error a client can meet, every header it may send.

FastAPI documents what a route function declares: its success model and its parameters. What
the edge adds around every route (the error envelope of each refusal, the position headers,
If-Match and Idempotency-Key that `api/execute.py` reads from the request) is added here, once,
so a generated client types every refusal instead of dropping it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from api.positions import BEHIND, MIN_POSITION, POSITION, WORKER


class ErrorBody(BaseModel):
    code: str = Field(description="Stable and machine-readable: the rule or check refused.")
    message: str = Field(description="One sentence for a person.")
    params: dict[str, Any] = Field(description="The numbers behind the refusal.")


class ErrorOut(BaseModel):
    """Every answer that is not a success, from the edge or from a company rule."""

    error: ErrorBody


READ_ERRORS = {
    401: "No bearer token, or one that is unknown, revoked or its person's who left.",
    403: "The caller's role or scopes do not open this, or the customer's file is not theirs.",
    404: "No such customer, staff member, record or report.",
    422: "A parameter is malformed or out of range (`invalid_request`), or a position is "
    "beyond the log (`position_not_recorded`).",
    503: "The store is unreachable, or the read models did not reach the asked position in "
    "time (`read_models_behind`): ask again after Retry-After.",
}
WRITE_ERRORS = {
    **READ_ERRORS,
    409: "A company rule refused the command (its code names the rule); nothing was stored.",
    412: "If-Match named a version the aggregate has moved past (`stale_version`).",
    413: "The body is larger than the limit.",
    422: "The body is not JSON (`invalid_json`) or not the schema (`invalid_request`), or a "
    "value makes no sense for the command.",
}
POSITION_HEADERS = {
    POSITION: "The log position this answer includes (a write's: its last event).",
    BEHIND: "How many events the read models were behind the log when this answered.",
    WORKER: "The serving process, for tracing.",
}


def _header(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


WRITE_HEADERS = [
    _header(
        "Idempotency-Key",
        "A retried write with the same key answers the first result and stores nothing more.",
    ),
    _header(
        "If-Match",
        "The version of the command's aggregate the caller decided on; a moved aggregate is "
        "refused with 412.",
    ),
]
READ_HEADERS = [
    _header(MIN_POSITION, "Wait (up to 5 s) until the read models include this log position."),
]


def document(api: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the errors and headers every operation has."""
    doc = get_openapi(
        title=api.title,
        version=api.version,
        description=api.description,
        routes=api.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorBody, ErrorOut):
        schemas[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    position = {
        name: {"description": text, "schema": {"type": "string"}}
        for name, text in POSITION_HEADERS.items()
    }
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            if path == "/health":  # open to a load balancer: it answers or it does not
                continue
            writes = method != "get"
            errors = WRITE_ERRORS if writes else READ_ERRORS
            responses = operation.setdefault("responses", {})
            for status, text in errors.items():
                responses[str(status)] = {"description": text, "content": error}
            for status, answer in responses.items():
                if status.startswith("2"):
                    answer.setdefault("headers", {}).update(position)
            declared = {p["name"] for p in operation.get("parameters", [])}
            extra = WRITE_HEADERS if writes else READ_HEADERS
            operation.setdefault("parameters", []).extend(
                h for h in extra if h["name"] not in declared
            )
    return doc
