"""One ticket's whole life in the browser, and the queue's URL-kept filters and pages."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.flows import create_customer, create_ticket, ticket_status, user_id


def _expect_status(page, status: str) -> None:
    expect(page.locator(".page-head .status")).to_have_class(f"status status-{status}")


def _fill_parts(page, part: str) -> None:
    page.locator("[name='part_1-code']").select_option(part)
    page.locator("[name='part_1-quantity']").fill("1")
    page.locator("[name=labour_hours]").fill("1.5")


def test_a_ticket_goes_from_dispatch_to_callback_and_close(page, live_server):
    # dispatcher: the ticket, then dispatch it to a technician
    log_in(page, live_server, "dispatcher")
    customer = create_customer(page, live_server)
    number = create_ticket(page, live_server, customer, "home_appliances", "Life of a ticket")
    _expect_status(page, "new")
    page.locator("#assignee").select_option(str(user_id(live_server, "tech1")))
    page.locator("form:has(#assignee) button[type=submit]").click()
    _expect_status(page, "assigned")
    expect(page.locator(".timeline")).to_contain_text("assigned it to")

    # the appointment window agreed with the customer
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.locator("#date").fill(tomorrow)
    page.locator("#start").fill("10:00")
    page.locator("#end").fill("12:00")
    page.locator("#appointment button[type=submit]").click()
    expect(page.locator(".appointment-window")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("agreed the appointment")

    # technician: on the way, then on site, from the ticket page
    log_in(page, live_server, "tech1")
    page.goto(live_server.at(f"/tickets/{number}"))
    page.locator("button[name=to][value=en_route]").click()
    _expect_status(page, "en_route")
    page.locator("button[name=to][value=on_site]").click()
    _expect_status(page, "on_site")
    expect(page.locator(".timeline")).to_contain_text("On site")

    # paid work: the quote (parts and labour), the customer's consent, then the report
    page.goto(live_server.at(f"/tickets/{number}/quote"))
    part = page.locator("[name='part_1-code'] option:not([value=''])").first.get_attribute("value")
    _fill_parts(page, part)
    page.locator("#quote-form button[value=estimate]").click()
    expect(page.locator("#quote-form .estimate")).to_be_visible()
    page.locator("#consent_name").fill("Zhang San")
    page.locator("#agrees").check()
    page.locator("#quote-form button[value=consent]").click()
    page.wait_for_url(re.compile(rf"/tickets/{number}$"))
    expect(page.locator(".timeline")).to_contain_text("recorded Zhang San's consent")

    page.goto(live_server.at(f"/tickets/{number}/report"))
    page.locator("#outcome").select_option("resolved_on_site")
    page.locator("#work_done").fill("Replaced the capacitor")
    _fill_parts(page, part)
    page.locator("#customer_name").fill("Zhang San")
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tickets/{number}$"))
    _expect_status(page, "resolved")
    expect(page.locator(".timeline")).to_contain_text("filed a result report")

    # supervisor: the callback; a satisfied customer closes the ticket
    log_in(page, live_server, "supervisor")
    page.goto(live_server.at(f"/tickets/{number}"))
    page.locator(".callback-card a.button[href^='/callbacks/']").click()
    page.wait_for_url(re.compile(r"/callbacks/\d+$"))
    page.locator("#reached-0").check()
    page.locator("#satisfaction-4").check()
    page.locator("#comment").fill("Works fine now")
    page.locator("#callback-form button[type=submit]").click()
    expect(page.locator("#callback-form")).to_have_count(0)
    page.goto(live_server.at(f"/tickets/{number}"))
    _expect_status(page, "closed")
    timeline = page.locator(".timeline")
    for entry in (
        "created the ticket",
        "assigned it to",
        "agreed the appointment",
        "recorded Zhang San's consent",
        "filed a result report",
        "called the customer back",
    ):
        expect(timeline).to_contain_text(entry)
    assert ticket_status(live_server, number) == "closed"


def _query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def _rows(page):
    return page.locator("#queue-results tbody tr td:first-child a")


def _current_page(page):
    return page.locator("#queue-results .pager [aria-current=page]")


def test_queue_filters_and_pages_live_in_the_url(page, live_server):
    log_in(page, live_server, "dispatcher")
    page.goto(live_server.at("/tickets"))
    count = page.locator("#queue-results .count")
    unfiltered = count.inner_text()
    page.locator("#status").select_option("open")
    page.wait_for_url(lambda url: _query(url).get("status") == "open")
    expect(count).not_to_have_text(unfiltered)
    expect(_current_page(page)).to_contain_text("Page 1")
    first_page = _rows(page).all_inner_texts()

    page.locator("#queue-results a[rel=next]").click()
    page.wait_for_url(lambda url: _query(url).get("page") == "2")
    assert _query(page.url)["status"] == "open"
    expect(_current_page(page)).to_contain_text("Page 2")
    expect(page.locator("#status")).to_have_value("open")
    second_page = _rows(page).all_inner_texts()
    assert second_page and not set(second_page) & set(first_page)

    page.reload()
    expect(page.locator("#status")).to_have_value("open")
    expect(_rows(page)).to_have_text(second_page)

    page.go_back()
    page.wait_for_url(lambda url: "page" not in _query(url) and "status" in _query(url))
    expect(_current_page(page)).to_contain_text("Page 1")
    expect(_rows(page)).to_have_text(first_page)
    expect(page.locator("#status")).to_have_value("open")
