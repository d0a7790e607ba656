"""The harness itself: the live server answers, a person can log in, axe runs."""

from __future__ import annotations

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import log_in


def test_a_dispatcher_logs_in_and_sees_the_queue(page, live_server):
    log_in(page, live_server, "dispatcher", fresh=True)
    assert page.locator("h1").first.is_visible()
    assert "/login" not in page.url


def test_the_login_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(live_server.at("/login"))
    violations = axe_violations(page)
    assert violations == [], describe(violations)
