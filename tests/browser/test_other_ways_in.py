"""The main flow without JavaScript, in Chinese, and with the keyboard alone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.flows import (
    PLUGIN_TICKETS,
    create_customer,
    customer_id,
    fill_field,
    ticket_status,
    unique,
    user_id,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
TICKET_URL = re.compile(r"/tickets/[A-Z]+-\d{4}-\d+$")


def _expect_status(page, status: str) -> None:
    expect(page.locator(".page-head .status")).to_have_class(f"status status-{status}")


def _move(page, status: str) -> None:
    page.locator(f"button[name=to][value={status}]").click()
    _expect_status(page, status)


def test_the_main_flow_works_as_plain_html_without_javascript(page_without_js, live_server):
    page = page_without_js
    log_in(page, live_server, "dispatcher")
    customer = create_customer(page, live_server)

    # the service's fields come from a plain submit (the <noscript> button)
    page.goto(live_server.at(f"/tickets/new?customer={customer_id(customer)}"))
    spec = PLUGIN_TICKETS["it_outsourcing"]
    page.locator("#service").select_option(spec.service)
    expect(page.locator("#plugin-fields [name='f_symptoms']")).to_have_count(0)
    page.locator("button[name=action][value=choose_service]").click()
    expect(page.locator("#plugin-fields [name='f_symptoms']")).to_be_visible()
    for name, value in spec.fields.items():
        fill_field(page, f"f_{name}", value)
    page.locator("#title").fill(unique("No-JS ticket"))
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    page.wait_for_url(TICKET_URL)
    number = page.url.rsplit("/", 1)[1]
    _expect_status(page, "new")

    page.locator("#assignee").select_option(str(user_id(live_server, "tech1")))
    page.locator("form:has(#assignee) button[type=submit]").click()
    page.wait_for_url(TICKET_URL)
    _expect_status(page, "assigned")
    for status in ("en_route", "on_site", "resolved"):
        _move(page, status)
    assert ticket_status(live_server, number) == "resolved"

    # the callback form: first without an answer (inline error), then satisfied → closed
    log_in(page, live_server, "supervisor")
    page.goto(live_server.at(f"/tickets/{number}"))
    page.locator(".callback-card a.button").click()
    page.locator("#callback-form button[type=submit]").click()
    expect(page.locator("#reached-error")).to_be_visible()
    expect(page.locator("#reached-0")).to_have_attribute("aria-invalid", "true")
    page.locator("#reached-0").check()
    page.locator("#satisfaction-4").check()
    page.locator("#callback-form button[type=submit]").click()
    expect(page.locator("#callback-form")).to_have_count(0)
    page.goto(live_server.at(f"/tickets/{number}"))
    _expect_status(page, "closed")
    assert ticket_status(live_server, number) == "closed"


def test_a_chinese_speaker_logs_in_and_creates_a_ticket(chinese_page, live_server):
    page = chinese_page
    page.goto(live_server.at("/login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text(CJK)
    expect(page.locator("form:has(#password) button[type=submit]")).to_have_text(CJK)
    log_in(page, live_server, "dispatcher", fresh=True)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    customer = create_customer(page, live_server, unique("中文客户"))

    registry = live_server.app.extensions["aftersales"].registry
    spec = PLUGIN_TICKETS["home_appliances"]
    service = registry.service("home_appliances", spec.service.split(":")[1])
    field = next(f for f in service.fields if f.name == spec.marker_field)
    page.goto(live_server.at(f"/tickets/new?customer={customer_id(customer)}"))
    expect(page.locator(f"#service option[value='{spec.service}']")).to_contain_text(
        service.label.zh
    )
    page.locator("#service").select_option(spec.service)
    expect(page.locator(f"label[for='f_{spec.marker_field}']")).to_contain_text(field.label.zh)
    for name, value in spec.fields.items():
        fill_field(page, f"f_{name}", value)
    page.locator("#title").fill("空调不制冷")
    page.locator("#ticket-form button[type=submit]:not([name])").click()
    page.wait_for_url(TICKET_URL)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("空调不制冷")
    expect(page.locator(".facts")).to_contain_text(service.label.zh)


# -- keyboard only -------------------------------------------------------------------

# The focused element draws an outline of at least 2 px (its computed style).
FOCUS_SHOWN = """() => {
  const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
}"""
WHAT_HAS_FOCUS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return `${e.outerHTML.slice(0, 120)} outline: ${s.outlineStyle} ${s.outlineWidth}`;
}"""


def _tab_to(page, selector: str, limit: int = 60, key: str = "Tab") -> None:
    """Press Tab until ``selector`` has the focus; each stop must show its focus ring."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press(key)
        if page.evaluate("document.activeElement !== document.body"):
            assert page.evaluate(FOCUS_SHOWN), page.evaluate(WHAT_HAS_FOCUS)
    raise AssertionError(f"{selector} never got the focus after {limit} presses of {key}")


def test_a_keyboard_user_logs_in_and_creates_a_ticket(page, live_server):
    page.goto(live_server.at("/login"))
    # the skip link comes first and shows itself when focused
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    _tab_to(page, "a.skip")
    expect(page.locator("a.skip")).to_be_in_viewport()
    _tab_to(page, "#username")
    page.keyboard.type("dispatcher")
    _tab_to(page, "#password")
    page.keyboard.type(live_server.password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    # a customer: type the name, Enter submits
    page.goto(live_server.at("/customers/new"))
    _tab_to(page, "#name")
    name = unique("Keyboard customer")
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    expect(page.locator("h1")).to_contain_text(name)

    page.goto(page.url.replace("/customers/", "/tickets/new?customer="))
    _tab_to(page, "#service")
    # arrow down to the first service we have values for, one swap at a time
    known = {s.service: s for s in PLUGIN_TICKETS.values()}
    for _ in range(60):
        page.keyboard.press("ArrowDown")
        chosen = page.locator("#service").input_value()
        service_name = page.locator("#service option:checked").inner_text().split(" · ")[-1]
        expect(page.locator("#plugin-fields legend")).to_contain_text(service_name)
        if chosen in known:
            break
    spec = known[chosen]
    expect(page.locator(f"#plugin-fields [name='f_{spec.marker_field}']")).to_be_visible()
    for field_name, value in spec.fields.items():
        _tab_to(page, f"[name='f_{field_name}']")
        if page.evaluate("document.activeElement.tagName") == "SELECT":
            for _ in range(20):
                if page.evaluate("document.activeElement.value") == value:
                    break
                page.keyboard.press("ArrowDown")
        else:
            page.keyboard.type(value)
    # one stop too far, then back: Shift+Tab walks the same order backwards
    _tab_to(page, "#description")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#title")).to_be_focused()
    assert page.evaluate(FOCUS_SHOWN)
    page.keyboard.type("Typed without a mouse")
    _tab_to(page, "#ticket-form button[type=submit]:not([name])")
    page.keyboard.press("Enter")
    page.wait_for_url(TICKET_URL)
    expect(page.locator("h1")).to_contain_text("Typed without a mouse")
