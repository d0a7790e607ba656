"""Creating customers and tickets in a real browser: htmx swaps and inline errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.flows import (
    PLUGIN_TICKETS,
    choose_service,
    create_customer,
    customer_id,
    fill_field,
    unique,
)


def test_a_dispatcher_creates_a_customer(page, live_server):
    log_in(page, live_server, "dispatcher")
    name = unique("Customer form")
    path = create_customer(page, live_server, name)
    page.goto(live_server.at("/customers?q=" + name.split()[-1]))
    expect(page.locator(f"a[href='{path}']")).to_be_visible()


@pytest.mark.parametrize("plugin", sorted(PLUGIN_TICKETS))
def test_a_ticket_for_each_plugin_gets_its_fields_swapped_in(page, live_server, plugin):
    log_in(page, live_server, "dispatcher")
    customer = create_customer(page, live_server)
    page.goto(live_server.at(f"/tickets/new?customer={customer_id(customer)}"))
    spec = PLUGIN_TICKETS[plugin]
    marker = page.locator(f"[name='f_{spec.marker_field}']")
    expect(marker).to_have_count(0)
    # a full page load would reset window: the marker surviving proves an htmx swap
    page.evaluate("window.__noReload = 'still here'")
    choose_service(page, plugin)
    assert page.evaluate("window.__noReload") == "still here"
    for name, value in spec.fields.items():
        fill_field(page, f"f_{name}", value)
    title = unique(f"{plugin} via browser")
    page.locator("#title").fill(title)
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    page.wait_for_url(lambda url: "/tickets/new" not in url)
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator(".page-head .status")).to_have_class("status status-new")

    from server.models import Ticket

    number = page.url.rsplit("/", 1)[1]
    with live_server.app.app_context():
        ticket = Ticket.get(Ticket.number == number)
        assert f"{ticket.plugin}:{ticket.service}" == spec.service
        assert ticket.attributes[spec.marker_field] == spec.fields[spec.marker_field]


def _assert_inline_error(page, field_id: str, text: str | None = None) -> None:
    """The error sits next to the field and is tied to it for screen readers."""
    field = page.locator(f"#{field_id}")
    error = page.locator(f"#{field_id}-error")
    expect(error).to_be_visible()
    if text:
        expect(error).to_contain_text(text)
    expect(field).to_have_attribute("aria-invalid", "true")
    described = field.get_attribute("aria-describedby") or ""
    assert f"{field_id}-error" in described.split()
    # next to the field: in the same .field wrapper
    assert field.evaluate(
        "(f, id) => f.closest('.field, fieldset').contains(document.getElementById(id))",
        f"{field_id}-error",
    )


def test_ticket_form_errors_are_shown_inline_and_tied_to_their_fields(page, live_server):
    log_in(page, live_server, "dispatcher")
    customer = create_customer(page, live_server)
    page.goto(live_server.at(f"/tickets/new?customer={customer_id(customer)}"))
    # nothing chosen, nothing filled: the service is required
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    _assert_inline_error(page, "service", "Choose a service.")
    _assert_inline_error(page, "title")
    # the swapped-in form takes the focus to its first invalid field
    expect(page.locator("#service")).to_be_focused()
    # a service with required plugin fields left empty: errors next to those too
    choose_service(page, "it_outsourcing")
    page.locator("#title").fill("Missing plugin fields")
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    _assert_inline_error(page, "f_symptoms")
    _assert_inline_error(page, "f_impact")
    expect(page.locator("#title")).to_have_value("Missing plugin fields")


def test_customer_form_errors_are_shown_inline(page, live_server):
    log_in(page, live_server, "dispatcher")
    page.goto(live_server.at("/customers/new"))
    page.locator("#email").fill("not an email")
    page.locator("#phone").fill("call me")
    page.locator("#customer-form button[type=submit]").click()
    _assert_inline_error(page, "name")
    _assert_inline_error(page, "email", "Not a valid email address.")
    _assert_inline_error(page, "phone")
    expect(page.locator("#email")).to_have_value("not an email")
    assert "/customers/new" in page.url
