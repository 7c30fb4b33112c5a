"""The OpenAPI document is the contract (issue 20, item 2): a walk over every operation fails on
one missing its errors, its headers, a readable operationId or a uniquely named schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from api.main import create_app
from ledger.settings import LedgerSettings

READ_ERRORS = {"401", "403", "404", "422", "503"}
WRITE_ERRORS = READ_ERRORS | {"409", "412", "413"}
# Still answered as open JSON objects: each is to get its own model; the list may only shrink.
UNTYPED = {
    "get_customer_file",
    "get_holder",
    "get_custody",
    "get_staff_book",
    "get_report",
    "get_access_audit",
    "export_custody",
    "policy_what_if",
}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = Path(tmp_path_factory.mktemp("contract"))
    app = create_app(LedgerSettings(data_dir=data, database_url=None), projector=False)
    try:
        document: dict[str, Any] = app.openapi()
        return document
    finally:
        app.state.store_watch.stop()
        app.state.read_models.close()
        app.state.ledger.close()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, methods in doc["paths"].items()
        for method, op in methods.items()
        if path != "/health"
    ]


def typed(answer: dict[str, Any]) -> bool:
    schemas = [c.get("schema", {}) for c in answer.get("content", {}).values()]
    return bool(schemas) and all(
        "$ref" in s or s.get("type") == "array" or "anyOf" in s for s in schemas
    )


def test_every_operation_documents_its_errors_and_headers(doc: dict[str, Any]) -> None:
    missing: list[tuple[object, ...]] = []
    for path, method, op in operations(doc):
        expected = READ_ERRORS if method == "get" else WRITE_ERRORS
        for status in sorted(expected):
            schema = op["responses"].get(status, {}).get("content", {}).get("application/json")
            if schema != {"schema": {"$ref": "#/components/schemas/ErrorOut"}}:
                missing.append((path, method, status))
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        wanted = {"Idempotency-Key", "If-Match"} if method != "get" else {"Ledger-Min-Position"}
        if not wanted <= headers:
            missing.append((path, method, sorted(wanted - headers)))
        for status, answer in op["responses"].items():
            if status.startswith("2") and "Ledger-Position" not in answer.get("headers", {}):
                missing.append((path, method, status, "Ledger-Position"))
    assert missing == []


def test_operation_ids_are_readable_and_unique_and_schema_names_unique(
    doc: dict[str, Any],
) -> None:
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids)) >= 70
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", i) for i in ids), ids
    assert {"assign_customer", "close_complaint", "close_investigation"} <= set(ids)
    names = list(doc["components"]["schemas"])
    assert not [n for n in names if "__" in n]  # two models of one name come out as a__b__C


def test_success_answers_are_typed_except_the_listed_ones(doc: dict[str, Any]) -> None:
    untyped = {
        op["operationId"]
        for _, _, op in operations(doc)
        for status, answer in op["responses"].items()
        if status.startswith("2") and not typed(answer)
    }
    assert untyped == UNTYPED
