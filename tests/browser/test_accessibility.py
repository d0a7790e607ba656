"""axe-core on the main pages, as each role that uses them: no serious or critical
violations (WCAG 2.1 A/AA and axe's best practices), including forms showing errors."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import LiveServer, log_in

# (role, path); {names} come from the demo data (see ``ids``)
PAGES = [
    ("dispatcher", "/tickets"),
    ("dispatcher", "/tickets?status=open&page=2"),
    ("dispatcher", "/tickets/{ticket}"),
    ("dispatcher", "/customers"),
    ("dispatcher", "/customers/{customer}"),
    ("dispatcher", "/customers/new"),
    ("dispatcher", "/customers/{customer}/edit"),
    ("dispatcher", "/dispatch"),
    ("dispatcher", "/calendar"),
    ("dispatcher", "/notifications"),
    ("dispatcher", "/kb?q=空调"),
    ("dispatcher", "/kb/ha-ac-not-cooling"),
    ("technician", "/my/jobs"),
    ("technician", "/tickets/{tech_ticket}"),
    ("technician", "/tickets/{tech_ticket}/report"),
    ("technician", "/calendar"),
    ("supervisor", "/tickets/{ticket}"),
    ("supervisor", "/callbacks"),
    ("supervisor", "/callbacks/{callback}"),
    ("supervisor", "/complaints"),
    ("supervisor", "/complaints/{complaint}"),
    ("supervisor", "/kpi"),
    ("supervisor", "/kb/new"),
    ("supervisor", "/notifications"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users/new"),
    ("admin", "/admin/sla/calculator"),
    ("admin", "/kpi"),
]
LOGINS = {"technician": "tech1"}


@pytest.fixture(scope="module")
def ids(live_server: LiveServer) -> dict[str, Any]:
    """Demo records to open: a ticket, one of tech1's, a customer, a callback, a complaint."""
    from server.complaints.models import Complaint
    from server.followup.models import Callback
    from server.models import Customer, Ticket, User
    from server.workflow import OPEN_STATUSES

    with live_server.app.app_context():
        tech1 = User.get(User.username == "tech1")
        tech_ticket = (
            Ticket.select()
            .where(Ticket.assignee == tech1, Ticket.status.in_(sorted(OPEN_STATUSES)))
            .first()
        ) or Ticket.select().first()
        pending = Callback.select().where(Callback.status == "pending").first()
        return {
            "ticket": Ticket.select().order_by(Ticket.id).first().number,
            "tech_ticket": tech_ticket.number,
            "customer": Customer.select().order_by(Customer.id).first().id,
            "callback": (pending or Callback.select().first()).id,
            "complaint": Complaint.select().first().number,
        }


def _assert_no_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{describe(violations)}"


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_page_has_no_serious_violations(page, live_server, ids, role, path):
    log_in(page, live_server, LOGINS.get(role, role))
    response = page.goto(live_server.at(path.format(**ids)))
    assert response is not None and response.ok, path
    _assert_no_violations(page)


def test_login_page_with_an_error(page, live_server):
    page.goto(live_server.at("/login"))
    page.locator("form:has(#password) button[type=submit]").click()
    expect(page.locator("#username-error")).to_be_visible()
    _assert_no_violations(page)


def test_new_ticket_form_with_plugin_fields_and_errors(page, live_server, ids):
    log_in(page, live_server, "dispatcher")
    page.goto(live_server.at(f"/tickets/new?customer={ids['customer']}"))
    _assert_no_violations(page)
    page.locator("#service").select_option("home_appliances:install")
    expect(page.locator("#f_purchase_date")).to_be_visible()
    _assert_no_violations(page)
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    expect(page.locator("#f_install_address-error")).to_be_visible()
    _assert_no_violations(page)


def test_callback_form_with_errors(page, live_server, ids):
    log_in(page, live_server, "supervisor")
    page.goto(live_server.at(f"/callbacks/{ids['callback']}"))
    submit = page.locator("#callback-form button[type=submit]")
    if submit.count():
        submit.click()
        expect(page.locator("#reached-error")).to_be_visible()
    _assert_no_violations(page)


def test_customer_form_with_errors(page, live_server):
    log_in(page, live_server, "dispatcher")
    page.goto(live_server.at("/customers/new"))
    page.locator("#email").fill("nope")
    page.locator("#customer-form button[type=submit]").click()
    expect(page.locator("#email-error")).to_be_visible()
    _assert_no_violations(page)


def test_sla_calculator_with_a_result(page, live_server):
    log_in(page, live_server, "admin")
    page.goto(live_server.at("/admin/sla/calculator"))
    page.locator("#policy").select_option(index=1)
    page.locator("#reported_at").fill("2026-03-02T09:30")
    page.locator("form:has(#policy) button[type=submit]").first.click()
    expect(page.locator("main table").first).to_be_visible()
    _assert_no_violations(page)


def test_chinese_pages_have_no_serious_violations(chinese_page, live_server, ids):
    page = chinese_page
    log_in(page, live_server, "dispatcher")
    for path in ("/tickets", f"/tickets/{ids['ticket']}", f"/customers/{ids['customer']}"):
        page.goto(live_server.at(path))
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        _assert_no_violations(page)


def test_phone_sized_pages_have_no_serious_violations(browser, live_server, ids):
    """On a phone the wide tables scroll sideways: their wrappers take the focus."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    try:
        page = context.new_page()
        log_in(page, live_server, "supervisor")
        for path in ("/tickets", "/kpi", "/callbacks", f"/tickets/{ids['ticket']}"):
            page.goto(live_server.at(path))
            if path == "/tickets":
                expect(page.locator(".table-wrap[tabindex='0']")).to_have_count(1)
            _assert_no_violations(page)
    finally:
        context.close()
