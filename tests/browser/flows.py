"""Steps a person takes in the browser, shared by the browser tests.

Every helper waits for what the person would wait for (the next page, the swapped
region) with Playwright's ``expect``, never with sleeps. Selectors are ids and names,
which stay the same in every language.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer


def unique(prefix: str) -> str:
    """A name no other test uses (tests share one server per module)."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class PluginTicket:
    """A service of one plugin and values for its required fields (by field name)."""

    service: str
    fields: dict[str, str]
    marker_field: str  # a field only this service shows: proof its fields were swapped in


# One service per plugin; values are the plugin's own choices and valid formats.
PLUGIN_TICKETS: dict[str, PluginTicket] = {
    "home_appliances": PluginTicket(
        "home_appliances:repair",
        {
            "repair_location": "on_site",
            "appliance_category": "air_conditioner",
            "fault_description": "Not cooling",
            "fault_kind": "performance",
        },
        "fault_description",
    ),
    "tobacco_retail": PluginTicket(
        "tobacco_retail:settlement_card",
        {"card_issue": "deduction_failed"},
        "card_issue",
    ),
    "insurance": PluginTicket(
        "insurance:consultation",
        {"topic": "coverage", "question": "Is hail damage covered?"},
        "question",
    ),
    "power_utility": PluginTicket(
        "power_utility:fault_repair",
        {"region_class": "urban"},
        "region_class",
    ),
    "it_outsourcing": PluginTicket(
        "it_outsourcing:incident",
        {"impact": "high", "urgency": "high", "symptoms": "Mail server down"},
        "symptoms",
    ),
}


def fill_field(page: Any, name: str, value: str) -> None:
    """Fill an input/textarea or choose in a select, whichever the field is."""
    field = page.locator(f"[name='{name}']")
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def create_customer(page: Any, server: LiveServer, name: str | None = None) -> str:
    """Create a customer through the form; returns the customer page's path."""
    name = name or unique("Browser customer")
    page.goto(server.at("/customers/new"))
    page.locator("#name").fill(name)
    page.locator("#phone").fill("13800138000")
    page.locator("#address").fill("1 Test Road, Shanghai")
    page.locator("#customer-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    expect(page.locator("h1")).to_contain_text(name)
    return page.url.removeprefix(server.url)


def customer_id(path: str) -> int:
    return int(path.rstrip("/").rsplit("/", 1)[1])


def choose_service(page: Any, plugin: str) -> PluginTicket:
    """Choose a plugin's service on the new-ticket form and wait for its fields (htmx)."""
    spec = PLUGIN_TICKETS[plugin]
    page.locator("#service").select_option(spec.service)
    expect(page.locator(f"#plugin-fields [name='f_{spec.marker_field}']")).to_be_visible()
    return spec


def create_ticket(
    page: Any, server: LiveServer, customer_path: str, plugin: str, title: str | None = None
) -> str:
    """Create a ticket for a plugin's service (JS on); returns the ticket number."""
    page.goto(server.at(f"/tickets/new?customer={customer_id(customer_path)}"))
    spec = choose_service(page, plugin)
    for name, value in spec.fields.items():
        fill_field(page, f"f_{name}", value)
    page.locator("#title").fill(title or unique(f"{plugin} ticket"))
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    page.wait_for_url(re.compile(r"/tickets/[A-Z]+-\d{4}-\d+$"))
    return page.url.rsplit("/", 1)[1]


def ticket_status(server: LiveServer, number: str) -> str:
    """The ticket's status in the database (for checks beside what the page shows)."""
    from server.models import Ticket

    with server.app.app_context():
        return Ticket.get(Ticket.number == number).status


def user_id(server: LiveServer, username: str) -> int:
    from server.models import User

    with server.app.app_context():
        return User.get(User.username == username).id
