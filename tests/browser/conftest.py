"""A small demo company behind a real server, and Debian's Chromium driven by Playwright.

The company is built once per module (it takes seconds): the pages only read, except the
access audit, which every test reads with its own people. Screenshots go to
`test-output/screenshots/`; with LEDGER_DOC_SCREENSHOTS=1 the README's two are refreshed too.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from ledger.application import OwnershipLedger
from ledger.clock import utcnow
from ledger.demo import END, Person, build_demo_company
from ledger.enums import Role
from ledger.settings import LedgerSettings
from tests.e2e.conftest import HTTP, Caller, Server
from tests.stores import STORES, settings_for

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and no calls home: this machine has no network beyond loopback.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
LAPTOP = {"width": 1366, "height": 768}
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screenshots"
DOC_SHOTS = REPO / "docs" / "screenshots"
CUSTOMERS = 80


@dataclass
class Site:
    """The demo company's server, a token per person the tests log in as, and their API clients."""

    base: str
    callers: dict[str, Caller]
    people: dict[str, Person]

    def url(self, path: str) -> str:
        return self.base + path


def first(staff: list[Person], role: Role) -> Person:
    return next(p for p in staff if p.role is role and not p.departed)


def build_company(settings: LedgerSettings) -> tuple[dict[str, Person], dict[str, str]]:
    """The demo company (seed 7), plus an auditor; a token for each person the tests use."""
    ledger = OwnershipLedger(settings)
    try:
        result = build_demo_company(ledger, seed=7, customers=CUSTOMERS)
        auditor = ledger.join_staff("Ann Auditor", Role.AUDITOR, None, "audit", "north", END).id
        people = {role.value: first(result.staff, role) for role in (Role.ALLOCATION_TEAM, Role.MANAGER, Role.SALES_REP)}  # fmt: skip
        people["auditor"] = Person(auditor, "Ann Auditor", Role.AUDITOR, None, "north")
        tokens = {
            name: ledger.issue_token(utcnow(), "system:test", staff_id=person.id)[0]
            for name, person in people.items()
        }
        tokens["phone"] = ledger.issue_token(utcnow(), "system:test", client="phone", scopes=frozenset({"leads"}))[0]  # fmt: skip
        return people, tokens
    finally:
        ledger.close()


@pytest.fixture(scope="module", params=STORES)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The same pages on each store: the page queries run on SQLite and on PostgreSQL."""
    settings = settings_for(request.param, tmp_path_factory.mktemp("dashboard"), request)
    people, tokens = build_company(settings)
    server = Server(settings).start()
    try:
        callers = {name: Caller(server.url, token) for name, token in tokens.items()}
        caught_up(server.url)
        yield Site(server.url, callers, people)
    finally:
        server.stop()


def caught_up(base: str, timeout: float = 120.0) -> None:
    """The pages read whatever the read models hold: let them take in the demo first."""
    deadline = time.monotonic() + timeout
    while HTTP.get(f"{base}/health", timeout=10).json()["read_models"]["lag"]:
        assert time.monotonic() < deadline, "the read models did not catch up with the demo"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: run scripts/install-chromium (scripts/test does).")  # fmt: skip
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (no cookies) with a laptop's screen."""
    context = browser.new_context(viewport=LAPTOP)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def login(page: Page, site: Site, who: str, path: str = "/ui/") -> None:
    page.goto(site.url(f"/ui/login?next={quote(path)}"))
    page.fill("#token", site.callers[who].token)
    page.click("form[action='/ui/login'] button")


def screenshot(page: Page, name: str, document: bool = False) -> Path:
    """Save what the laptop screen shows; `document` also refreshes the README's copy when asked."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path)
    if document and os.environ.get("LEDGER_DOC_SCREENSHOTS") == "1":
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOC_SHOTS / f"{name}.png")
    return path
