"""A client generated from the OpenAPI document by openapi-python-client has every operation,
and receives every refusal as a typed object (issue 20): 403, 409, 412 and 422 over real HTTP."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from api.main import create_app
from ledger.settings import LedgerSettings
from tests.e2e.conftest import Directory

PACKAGE = "ledger_api_client"
# scripts/test installs the generator in a venv of its own (it pins an older typer than ours)
TOOLS = Path(os.environ.get("LEDGER_TOOLS_VENV", Path(__file__).parents[2] / ".venv-tools"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, Path]]:
    """The client, generated from this release's document as a client author would."""
    folder = Path(tmp_path_factory.mktemp("client"))
    app = create_app(LedgerSettings(data_dir=folder / "data", database_url=None), projector=False)
    try:
        (folder / "openapi.json").write_text(json.dumps(app.openapi()))
    finally:
        app.state.store_watch.stop()
        app.state.read_models.close()
        app.state.ledger.close()
    tools = str(TOOLS / "bin")  # the generator, and the ruff it formats with
    assert (TOOLS / "bin" / "openapi-python-client").exists(), f"run scripts/test: no {tools}"
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [
            Path(tools) / "openapi-python-client",
            "generate",
            "--path",
            folder / "openapi.json",
            "--meta",
            "none",
            "--output-path",
            folder / PACKAGE,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), folder / PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_every_operation_is_in_the_generated_client(
    generated: tuple[ModuleType, Path],
) -> None:
    _, root = generated
    doc = json.loads((root.parent / "openapi.json").read_text())
    wanted = {op["operationId"] for methods in doc["paths"].values() for op in methods.values()}
    made = {p.stem for p in (root / "api").glob("*/*.py") if p.stem != "__init__"}
    assert wanted == made and len(made) >= 70


def call(generated: tuple[ModuleType, Path], tag: str, operation: str, **kwargs: Any) -> Any:
    package, _ = generated
    module = importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")
    return module.sync_detailed(**kwargs)


def test_refusals_arrive_as_typed_errors(
    generated: tuple[ModuleType, Path], people: Directory
) -> None:
    package, _ = generated
    models = importlib.import_module(f"{package.__name__}.models")

    def client(name: str) -> Any:
        return package.AuthenticatedClient(base_url=people.base, token=people[name].token)

    forbidden = call(
        generated,
        "custody",
        "register_customer",
        client=client("auditor"),
        body=models.RegisterIn(name="Acme"),
    )
    assert forbidden.status_code == 403
    assert isinstance(forbidden.parsed, models.ErrorOut)
    assert forbidden.parsed.error.code == "forbidden"

    boss, rep = client("manager"), people["sales_rep"]
    made = call(
        generated, "custody", "register_customer", client=boss, body=models.RegisterIn(name="Brill")
    )
    assert isinstance(made.parsed, models.ReceiptOut), made.content
    customer = made.parsed.id

    def assign(caller: Any, **headers: str) -> Any:
        """The rep's assignment to the new customer, through the generated function."""
        body = models.AssignIn(staff_id=rep.staff_id)
        return call(
            generated,
            "custody",
            "assign_customer",
            customer_id=customer,
            client=caller,
            body=body,
            **headers,
        )

    own = assign(client("sales_rep"))
    assert own.status_code == 409 and own.parsed.error.code == "self_assignment"
    assert own.parsed.error.params.additional_properties["rule"] == "authority"
    stale = assign(boss, if_match="7")
    assert stale.status_code == 412 and stale.parsed.error.code == "stale_version"
    malformed = assign(boss, if_match="seven")
    assert malformed.status_code == 422 and malformed.parsed.error.code == "invalid_if_match"
    placed = assign(boss, if_match="1")
    assert isinstance(placed.parsed, models.ReceiptOut) and placed.parsed.version == 2
