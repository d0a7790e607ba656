"""Real-browser fixtures: a live server on loopback and headless Debian Chromium.

Each test module gets its own server (waitress in a thread, all five plugins, demo data
and the demo staff); each test gets a fresh browser context, so cookies never leak
between tests. When a test fails, a full-page screenshot and the page's HTML are saved
under ``$AFTERSALES_ARTIFACTS`` (default ``test-artifacts/``) for CI to keep.

Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` does it) or
``$AFTERSALES_CHROMIUM``. A missing browser fails the tests with that message: the
browser tests are part of the suite, never silently skipped.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from waitress.server import create_server

from server import testing
from server.config import PROJECT_ROOT

ALL_PLUGINS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
CHROMIUM = os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("AFTERSALES_ARTIFACTS", PROJECT_ROOT / "test-artifacts"))
# Quiet, offline Chromium: the machine's network is closed, and background fetches would
# only slow each start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
STAFF = {
    "admin": "admin",
    "supervisor": "supervisor",
    "dispatcher": "dispatcher",
    "tech1": "technician",
    "tech2": "technician",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """A running server: its address, its app (for direct database checks) and logins."""

    url: str
    app: Flask
    password: str = testing.PASSWORD

    def at(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """All five plugins, demo data (a few tickets each) and the demo staff, on loopback."""
    from server.assets import install_htmx
    from server.demo import create_demo_data

    # the pages load htmx from our static files: a fresh checkout has none until set-up
    # fetches it (integrity-checked, from the npm registry)
    install_htmx()
    tmp = tmp_path_factory.mktemp("live")
    # pages of 5 rows, so the demo data already fills several queue pages
    app = testing.build_app(tmp, enabled=ALL_PLUGINS, ui={"page_size": 5})
    for username, role in STAFF.items():
        testing.ensure_user(app, username, role)
    with app.app_context():
        create_demo_data(app, 4, 2026)
    yield from serve(app)


def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve ``app`` with waitress on a free loopback port until the generator is closed
    (a fixture's ``yield from``)."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.effective_port}", app=app)
    finally:
        server.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test worker."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: apt-get install chromium "
            "(or set AFTERSALES_CHROMIUM to its path)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _new_page(browser: Any, request: pytest.FixtureRequest, **options: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale=options.pop("locale", "en-US"),
        **options,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            _save_artifacts(page, request.node.nodeid)
        context.close()


def _save_artifacts(page: Any, nodeid: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # the page may be gone; the failure itself is what matters
        (ARTIFACTS / f"{stem}.txt").write_text(f"no screenshot: {exc}\n", encoding="utf-8")


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh English page (own cookies), JavaScript on."""
    yield from _new_page(browser, request)


@pytest.fixture
def page_without_js(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page with JavaScript off: every form must still work as plain HTML."""
    yield from _new_page(browser, request, java_script_enabled=False)


@pytest.fixture
def chinese_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page whose browser asks for Simplified Chinese."""
    yield from _new_page(browser, request, locale="zh-CN")


# Session cookies of each login, per server and user: logging in costs a deliberately
# slow password hash (about 2 s), so after the first real login of a user on a server,
# later tests of that module start from the same cookies in their own fresh context.
_SESSIONS: dict[tuple[str, str], list[Any]] = {}


def log_in(page: Any, server: LiveServer, username: str, *, fresh: bool = False) -> None:
    """Log in as a person would (the login form), and wait for the next page.

    The first login of ``username`` on ``server`` goes through the form; later ones (unless
    ``fresh``) give the page's context that login's session cookies (skipping the password
    hash, ~2 s) and open the start page. Either way the page ends logged in on the page
    after login.
    """
    key = (server.url, username)
    if not fresh and key in _SESSIONS:
        page.context.add_cookies(_SESSIONS[key])
        page.goto(server.at("/"))
        return
    page.goto(server.at("/login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(server.password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    _SESSIONS[key] = page.context.cookies()
