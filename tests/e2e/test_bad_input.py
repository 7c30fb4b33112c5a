"""Bad input over real HTTP: oversized bodies and absurd dates are refused clearly, nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from api.limits import MAX_BODY
from tests.e2e.conftest import Directory, LiveServer
from tests.e2e.test_api_commands import events_stored


def test_an_oversized_body_is_refused_with_413_by_length_and_when_streamed(
    people: Directory, server: LiveServer
) -> None:
    boss, before = people["manager"], events_stored(people)
    big = {"name": "x" * (MAX_BODY + 10)}
    declared = boss.post("/customers", big)
    assert declared.status_code == 413, declared.text
    assert declared.json()["error"]["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        payload = json.dumps(big).encode()
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start : start + 64 * 1024]

    streamed = httpx.post(
        f"{server.url}/customers", content=chunks(), timeout=30,
        headers={"Authorization": f"Bearer {boss.token}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert streamed.status_code == 413, streamed.text
    assert streamed.json()["error"]["params"]["limit"] == MAX_BODY
    assert events_stored(people) == before
    assert boss.post("/customers", {"name": "Normal Co"}).status_code == 201  # the server is fine


def test_absurd_business_times_are_refused_with_a_sentence(
    people: Directory, server: LiveServer
) -> None:
    boss, before = people["manager"], events_stored(people)
    for when in ("9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1989-12-31T23:59:59Z", "2024-02-30T00:00:00Z", "yesterday"):  # fmt: skip
        answer = boss.post("/customers", {"name": "Time Traveller", "occurred_at": when})
        assert answer.status_code == 422, (when, answer.text)
        assert "occurred_at" in answer.text
    assert events_stored(people) == before


def test_a_position_beyond_any_integer_the_store_holds_is_refused_not_a_crash(
    people: Directory,
) -> None:
    auditor = people["auditor"]
    assert auditor.get("/events", {"after": 2**63 - 1}).status_code == 200
    too_far = auditor.get("/events", {"after": 89286543491082997465088})  # found by schemathesis
    assert too_far.status_code == 422, too_far.text


def refused(answer: httpx.Response, code: str) -> dict[str, object]:
    """A 422 in the one error envelope, with the given code."""
    assert answer.status_code == 422, answer.text
    error: dict[str, object] = answer.json()["error"]
    assert error["code"] == code and error["message"], error
    return error


def test_numbers_json_cannot_hold_are_refused_and_nothing_is_stored(people: Directory) -> None:
    boss = people["manager"]
    customer = boss.post("/customers", {"name": "Finite Co"}).json()["id"]
    before = events_stored(people)
    for number in ("NaN", "Infinity", "-Infinity", "1e309"):  # Python's parser takes all four
        body = '{"tier": "C", "inputs": {"revenue": ' + number + "}}"
        answer = httpx.post(
            f"{people.base}/customers/{customer}/grade", content=body, timeout=10,
            headers={"Authorization": f"Bearer {boss.token}", "Content-Type": "application/json"},
        )  # fmt: skip
        error = refused(answer, "invalid_request")
        assert "body.inputs.revenue" in str(error["message"]), number
    assert events_stored(people) == before


def test_text_that_is_not_unicode_and_broken_json_get_the_envelope_not_a_500(
    people: Directory,
) -> None:
    boss, before = people["manager"], events_stored(people)
    headers = {"Authorization": f"Bearer {boss.token}", "Content-Type": "application/json"}
    for body in ('{"name": "a\\ud800b"}', '{"name": "x", "tags": {"\\udfff": 1}}'):
        answer = httpx.post(f"{people.base}/customers", content=body, headers=headers, timeout=10)
        refused(answer, "invalid_request")  # the input is never echoed back
    broken = httpx.post(f"{people.base}/customers", content='{"name":', headers=headers, timeout=10)
    refused(broken, "invalid_json")
    assert events_stored(people) == before


def test_instants_outside_the_ledgers_range_are_refused_on_reports(
    people: Directory,
) -> None:
    boss = people["manager"]
    for at in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1899-12-31T00:00:00Z"):
        for name in ("fairness", "control"):
            refused(boss.get(f"/reports/{name}", {"at": at}), "time_out_of_range")
    assert boss.get("/reports/control", {"at": "2999-12-31T00:00:00Z"}).status_code == 200
