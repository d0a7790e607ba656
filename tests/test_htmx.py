"""htmx: partial answers for htmx requests, full pages otherwise, Vary: HX-Request."""

from __future__ import annotations

import re

import pytest

from server.models import Customer

HX = {"HX-Request": "true"}


@pytest.fixture
def client(login_as):
    return login_as("dispatcher")


@pytest.fixture
def customer(app):
    with app.app_context():
        return Customer.create(name="客户甲")


@pytest.mark.parametrize("url", ["/tickets", "/customers", "/tickets/new?q=x"])
def test_htmx_request_gets_a_fragment_and_a_plain_one_the_page(client, url):
    full = client.get(url)
    part = client.get(url, headers=HX)
    assert "<html" in full.get_data(as_text=True)
    assert "<html" not in part.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in part.headers["Vary"]


def test_history_restore_gets_the_full_page(client):
    response = client.get("/tickets", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_queue_fragment_is_the_results_only(client):
    part = client.get("/tickets?status=new", headers=HX).get_data(as_text=True)
    assert 'class="filters"' not in part and "ticket" in part


def test_choosing_a_service_swaps_in_its_fields(client, customer):
    part = client.get(
        f"/tickets/new/fields?customer={customer.id}&service=sample:repair", headers=HX
    ).get_data(as_text=True)
    assert 'id="plugin-fields"' in part and 'name="f_serial"' in part and "<html" not in part


def test_without_javascript_the_service_button_shows_the_fields_and_keeps_input(client, customer):
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {
            "service": "sample:repair",
            "title": "我的标题",
            "action": "choose_service",
            "priority": "normal",
            "channel": "phone",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="f_serial"' in page and 'value="我的标题"' in page
    assert 'class="error"' not in page


def test_invalid_htmx_submit_returns_the_form_partial_with_422(client, customer):
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {"service": "sample:repair", "title": ""},
        headers=HX,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<form") and 'id="title-error"' in body


def test_successful_htmx_submit_redirects_the_whole_page(client, customer):
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {
            "service": "sample:consult",
            "title": "问个问题",
            "priority": "low",
            "channel": "phone",
        },
        headers=HX,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/tickets/SP-")


def test_pages_load_htmx_from_our_own_static_files(client):
    page = client.get("/tickets").get_data(as_text=True)
    assert 'src="/static/vendor/htmx-' in page
    # every script and stylesheet comes from this server (a random CSRF token may
    # contain "cdn", so look at the addresses, not the whole page)
    addresses = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert addresses and all(not a.startswith(("http:", "https:", "//")) for a in addresses)


def test_pages_carry_the_csrf_token_for_htmx_requests(client):
    assert 'hx-headers=\'{"X-CSRFToken": "' in client.get("/tickets").get_data(as_text=True)


def test_htmx_post_with_the_csrf_header_is_accepted(app, client, customer):
    token = client.csrf_token()
    response = client.post(
        f"/tickets/new?customer={customer.id}",
        data={
            "service": "sample:consult",
            "title": "头部令牌",
            "priority": "low",
            "channel": "phone",
        },
        headers={**HX, "X-CSRFToken": token},
    )
    assert response.status_code == 204
