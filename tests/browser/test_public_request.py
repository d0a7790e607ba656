"""A customer, not logged in, asks for a repair through the public form in a real browser
(a wrong value first, then corrected, with "email me updates"), then looks the request
up by number and phone — once with JavaScript (htmx swaps the form in place) and once
without (plain HTML forms)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from server import testing
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import LiveServer, serve

REPAIR = "/request/home_appliances/repair"
MARKER = "window.__noReload"


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server with the public pages on (off by default, so not ``live_server``)."""
    from server.assets import install_htmx

    install_htmx()
    app = testing.build_app(
        tmp_path_factory.mktemp("public"),
        enabled=["home_appliances", "power_utility"],
        public={"enabled": True},
    )
    yield from serve(app)


def a_phone() -> str:
    """A mobile number no other test uses (a known number would match that customer)."""
    return f"139 {random.randrange(10**8):08d}"


def fill_the_repair_form(page: Any, phone: str, email: str) -> None:
    page.locator("#name").fill("Zhang Min")
    page.locator("#phone").fill(phone)
    page.locator("#email").fill(email)
    page.locator("#f_repair_location").select_option("on_site")
    page.locator("#f_appliance_category").select_option("refrigerator")
    page.locator("#f_fault_kind").select_option("performance")
    page.locator("#f_fault_description").fill("Does not cool any more")


def send(page: Any) -> None:
    page.locator("#request-form button[type=submit]").click()


def check_the_saved_request(server: LiveServer, number: str, email: str) -> None:
    from server.models import Customer, Ticket
    from server.notifications import OutgoingMail

    with server.app.app_context():
        ticket = Ticket.get(Ticket.number == number)
        customer = Customer.get_by_id(ticket.customer_id)
        assert ticket.channel == "web"
        assert (customer.notify_by_email, customer.language) == (True, "en")
        assert OutgoingMail.select().where(OutgoingMail.to == email).count() == 1


def look_up(page: Any, server: LiveServer, number: str, phone: str) -> None:
    page.goto(server.at("/status"))
    page.locator("#number").fill(number)
    page.locator("#contact").fill(phone)
    page.locator("#status-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/status/result$"))
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("dl b")).not_to_be_empty()
    expect(page.locator(".public-timeline")).to_contain_text("We received your request.")


def test_a_customer_requests_a_repair_and_follows_it_with_javascript(page, public_server):
    phone, email = a_phone(), f"js-{random.randrange(10**6)}@example.com"
    page.goto(public_server.at("/request"))
    page.locator(f"a[href='{REPAIR}']").click()
    page.wait_for_url(re.compile(re.escape(REPAIR) + "$"))
    expect(page.locator("#email_updates")).not_to_be_checked()
    fill_the_repair_form(page, "call me", email)
    page.locator("#email_updates").check()
    page.evaluate(f"{MARKER} = 'still here'")
    send(page)
    error = page.locator("#phone-error")
    expect(error).to_contain_text("Digits")
    # swapped in place by htmx: no page load (the marker survives), the data is kept
    assert page.evaluate(MARKER) == "still here"
    assert page.url.endswith(REPAIR)
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone")).to_be_focused()  # app.js: the first invalid field
    expect(page.locator("#name")).to_have_value("Zhang Min")
    expect(page.locator("#email_updates")).to_be_checked()
    violations = axe_violations(page)  # the swapped-in form with its error
    assert not violations, describe(violations)
    page.locator("#phone").fill(phone)
    send(page)
    page.wait_for_url(re.compile(r"/request/done$"))
    number = page.locator(".ticket-number").inner_text()
    assert re.fullmatch(r"HA-\d{4}-\d{6}", number)
    check_the_saved_request(public_server, number, email)

    # a wrong phone first: the lookup's error is swapped in place too
    page.goto(public_server.at("/status"))
    page.evaluate(f"{MARKER} = 'still here'")
    page.locator("#number").fill(number)
    page.locator("#contact").fill("139 0000 0001")
    page.locator("#status-form button[type=submit]").click()
    expect(page.locator("#status-form .alert")).to_contain_text("We found no request")
    assert page.evaluate(MARKER) == "still here"
    look_up(page, public_server, number, phone)


def test_a_customer_requests_a_repair_and_follows_it_without_javascript(
    page_without_js, public_server
):
    page = page_without_js
    phone, email = a_phone(), f"nojs-{random.randrange(10**6)}@example.com"
    page.goto(public_server.at("/request"))
    page.locator(f"a[href='{REPAIR}']").click()
    page.wait_for_url(re.compile(re.escape(REPAIR) + "$"))
    fill_the_repair_form(page, phone, "")
    page.locator("#email_updates").check()
    send(page)
    # ticked without an email: the error by the email field, after a full page load
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    expect(page.locator("#phone")).to_have_value(phone)
    expect(page.locator("#email_updates")).to_be_checked()
    page.locator("#email").fill(email)
    send(page)
    page.wait_for_url(re.compile(r"/request/done$"))
    number = page.locator(".ticket-number").inner_text()
    check_the_saved_request(public_server, number, email)
    look_up(page, public_server, number, phone)
