"""The event feed as JSON Lines, over HTTP and from the CLI, on both stores: every event once,
in order, resumable after the last position received."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import serialize
from api.main import create_app
from cli.main import app as cli
from ledger.application import OwnershipLedger
from ledger.settings import LedgerSettings
from tests.clock import T0, day
from tests.company import standard_company
from tests.stores import point_cli_at

LEADS = 6
LINES = {"Accept": "application/x-ndjson"}


@dataclass
class Feed:
    """An authorised HTTP client of the API over the test's store."""

    client: TestClient
    token: str

    def get(
        self, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        answer: httpx.Response = self.client.get("/events", params=params, headers=auth)
        return answer

    def lines(self, **params: Any) -> list[dict[str, Any]]:
        answer = self.get(params, LINES)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/x-ndjson"
        return [json.loads(line) for line in answer.text.splitlines()]

    def pages(self, **params: Any) -> list[dict[str, Any]]:
        """Every event through the JSON pages, as a poller reads them."""
        events: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self.get({**params, "after": after, "limit": 1000}).json()
            events += page["events"]
            if not page["events"]:
                return events
            after = page["next_after"]


@pytest.fixture
def feed(ledger: OwnershipLedger, store: LedgerSettings) -> Iterator[Feed]:
    company = standard_company(ledger)
    for n in range(LEADS):
        ledger.register_lead(f"lead {n}", "hotline-1", day(1 + n), company.by("alloc"))
    token, _ = ledger.issue_token(
        T0, "system:test", client="dwh", scopes=frozenset({"read_events"})
    )
    app = create_app(store, projector=False)
    with TestClient(app) as client:
        yield Feed(client, token)
    app.state.store_watch.stop()
    app.state.read_models.close()
    app.state.ledger.close()


@pytest.fixture
def cli_env(store: LedgerSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI opens the fixture's store, as `ledger` does from LEDGER_* variables."""
    point_cli_at(store, monkeypatch)


def positions(events: Sequence[dict[str, Any]]) -> list[int]:
    return [e["position"] for e in events]


def test_the_stream_holds_every_event_once_in_order_read_a_page_at_a_time(
    feed: Feed, ledger: OwnershipLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    paged = feed.pages()
    selects: list[dict[str, Any]] = []
    recorder = feed.client.app.state.ledger.recorder  # type: ignore[attr-defined]
    select = recorder.select_notifications

    def counted(*args: Any, **kwargs: Any) -> Any:
        selects.append(kwargs)
        return select(*args, **kwargs)

    monkeypatch.setattr(serialize, "PAGE", 4)
    monkeypatch.setattr(recorder, "select_notifications", counted)
    answer = feed.get(headers=LINES)
    head = ledger.event_count()
    assert answer.headers["Ledger-Stream-Head"] == str(head)
    streamed = [json.loads(line) for line in answer.text.splitlines()]
    assert streamed == paged and len(streamed) > 2 * 4
    assert positions(streamed) == sorted(set(positions(streamed)))
    assert positions(streamed)[-1] == head
    assert {e["type"] for e in streamed} >= {"Staff.Joined", "Customer.Assigned"}
    assert all(s["limit"] == 4 and s["stop"] == head for s in selects)
    assert len(selects) == -(-len(streamed) // 4)  # pages, never the whole log at once


def test_a_stream_cut_short_resumes_after_its_last_line_with_no_gap_or_duplicate(
    feed: Feed, ledger: OwnershipLedger
) -> None:
    whole = feed.lines()
    first = feed.lines(limit=5)
    assert first == whole[:5]
    ledger.register_lead("late lead", "hotline-1", day(20))  # written after the first read
    resumed = feed.get({"after": first[-1]["position"]}, {"Accept": "application/jsonl"})
    rest = [json.loads(line) for line in resumed.text.splitlines()]
    assert first + rest[: len(whole) - 5] == whole
    late = rest[len(whole) - 5 :]
    assert positions(late)[-1] == ledger.event_count() > positions(whole)[-1]
    assert [e["data"]["name"] for e in late if e["type"] == "Customer.Registered"] == ["late lead"]


def test_the_stream_filters_by_type_as_the_page_does_and_refuses_an_unknown_type(
    feed: Feed,
) -> None:
    assigned = feed.lines(type="Customer.Assigned")
    assert [e["type"] for e in assigned] == ["Customer.Assigned"] * LEADS
    assert assigned == feed.pages(type="Customer.Assigned")
    assert {e["data"]["rule"] for e in assigned} == {"lead_allocator"}
    by_query = feed.get({"format": "jsonl", "type": "Customer.Assigned"})
    compact = [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in assigned]
    assert by_query.text.splitlines() == compact
    unknown = feed.get({"type": "Nope.Nothing"}, LINES)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_event_type"
    page = feed.get({"format": "json", "limit": 2}, LINES).json()  # the query wins
    assert page["events"] == feed.pages()[:2]
    assert page["next_after"] == page["events"][-1]["position"]


def test_the_cli_writes_the_streams_lines_and_resumes_after_the_position_it_prints(
    feed: Feed, ledger: OwnershipLedger, cli_env: None, tmp_path: Path
) -> None:
    runner = CliRunner()
    target = tmp_path / "events.jsonl"
    written = runner.invoke(cli, ["export", "events", "--format", "jsonl", "-o", str(target)])
    assert written.exit_code == 0, written.output
    head = ledger.event_count()
    assert target.read_text(encoding="utf-8") == feed.get(headers=LINES).text
    count = len(target.read_text(encoding="utf-8").splitlines())
    assert f"{count} events, the last at position {head}" in written.stderr
    assert f"resume with --after {head}" in written.stderr
    ledger.register_lead("late lead", "hotline-1", day(20))
    resumed = runner.invoke(cli, ["export", "events", "--after", str(head)])
    assert resumed.exit_code == 0, resumed.output
    assert resumed.stdout == feed.get({"after": head}, LINES).text
    assert [json.loads(line)["position"] for line in resumed.stdout.splitlines()] == list(
        range(head + 1, ledger.event_count() + 1)
    )
    typed = runner.invoke(cli, ["export", "events", "--type", "Staff.Joined"])
    assert typed.stdout == feed.get({"type": "Staff.Joined"}, LINES).text
    assert len(typed.stdout.splitlines()) == 7


def test_a_negative_position_is_a_usage_error_and_an_unknown_type_a_refusal(
    cli_env: None, tmp_path: Path
) -> None:
    runner = CliRunner()
    negative = runner.invoke(cli, ["export", "events", "--after", "-1"])
    assert negative.exit_code == 2 and "--after" in negative.output
    assert isinstance(negative.exception, SystemExit) and "Traceback" not in negative.output
    target = tmp_path / "never.jsonl"
    unknown = runner.invoke(cli, ["export", "events", "--type", "Nope.Nothing", "-o", str(target)])
    assert unknown.exit_code == 1 and "unknown_event_type" in unknown.output
    assert not target.exists()


def test_the_openapi_document_offers_json_lines_beside_the_json_page(feed: Feed) -> None:
    document = feed.client.get("/openapi.json").json()
    get = document["paths"]["/events"]["get"]
    ok = get["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EventPageOut"
    }
    lines = ok["content"]["application/x-ndjson"]["schema"]
    assert lines == {"$ref": "#/components/schemas/EventOut"}
    assert "position" in document["components"]["schemas"]["EventOut"]["properties"]
    assert ok["headers"]["Ledger-Stream-Head"]["schema"] == {"type": "integer"}
    params = {p["name"]: p["schema"] for p in get["parameters"]}
    assert params["limit"]["anyOf"][0]["maximum"] == 1000
    assert document["components"]["schemas"]["FeedFormat"]["enum"] == ["json", "jsonl"]
