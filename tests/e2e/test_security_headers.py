"""Browser-facing safety over real HTTP: nosniff and no framing everywhere, a content security
policy on the dashboard's pages, and its forms refused when posted from another site."""

from __future__ import annotations

from tests.e2e.conftest import HTTP, Directory


def test_every_answer_forbids_sniffing_and_framing_and_pages_carry_a_policy(
    people: Directory,
) -> None:
    api = HTTP.get(f"{people.base}/health")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in api.headers  # /docs loads its own assets
    page = HTTP.get(f"{people.base}/ui/login")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no script may run at all
    refused = people["manager"].get("/customers/00000000-0000-4000-8000-000000000000")
    assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_a_dashboard_form_posted_from_another_site_is_refused(people: Directory) -> None:
    token = people["manager"].token
    form = {"token": token, "next": "/ui/"}
    host = people.base.split("://", 1)[1]
    for origin in ("http://evil.example", "null", f"https://{host}.evil.example"):
        cross = HTTP.post(f"{people.base}/ui/login", data=form, headers={"Origin": origin})
        assert cross.status_code == 403, (origin, cross.text)
        assert cross.json()["error"]["code"] == "cross_site_form"
        assert "set-cookie" not in cross.headers
    logout = HTTP.post(f"{people.base}/ui/logout", headers={"Origin": "http://evil.example"})
    assert logout.status_code == 403
    same = HTTP.post(f"{people.base}/ui/login", data=form, headers={"Origin": people.base})
    assert same.status_code == 303 and "set-cookie" in same.headers
