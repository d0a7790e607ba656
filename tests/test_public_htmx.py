"""htmx on the public pages: the layout loads it from our own static files; a form that
comes back with errors is swapped in place (422 fragment, data kept), a good one sends
the browser on with ``HX-Redirect``. Without ``HX-Request`` nothing changes."""

from __future__ import annotations

import re

import pytest

from server.models import Ticket
from tests.conftest import build_app

PLUGINS = ("home_appliances",)
REPAIR = "/request/home_appliances/repair"
HX = {"HX-Request": "true"}
GOOD = {
    "name": "Li Wei",
    "phone": "138 0013 8000",
    "email": "li.wei@example.com",
    "f_repair_location": "on_site",
    "f_appliance_category": "refrigerator",
    "f_fault_description": "Does not cool any more",
    "f_fault_kind": "performance",
}


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path, PLUGINS, public={"enabled": True})


@pytest.mark.parametrize("path", ["/request", REPAIR, "/status"])
def test_the_public_layout_loads_htmx_and_app_js_from_our_static_files(app, path):
    response = app.test_client().get(path)
    page = response.get_data(as_text=True)
    sources = re.findall(r'<script src="([^"]+)" defer></script>', page)
    assert sources == ["/static/vendor/htmx-2.0.11.min.js", "/static/app.js"]
    assert len(re.findall(r"<script", page)) == 2  # no inline script (CSP script-src 'self')
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert app.test_client().get(sources[0]).status_code == 200
    assert 'id="flashes"' in page  # where app.js shows a failed request's message


def test_the_request_form_posts_with_htmx_and_still_works_without(app):
    page = app.test_client().get(REPAIR).get_data(as_text=True)
    form = re.search(r"<form [^>]*hx-post[^>]*>", page).group(0)
    assert f'action="{REPAIR}"' in form and 'method="post"' in form
    assert f'hx-post="{REPAIR}"' in form and 'hx-target="#request-form"' in form
    assert 'hx-swap="outerHTML"' in form


def test_an_htmx_request_with_errors_gets_the_form_alone_with_the_data_kept(app):
    client = app.test_client()
    response = client.form(REPAIR, {**GOOD, "phone": "call me"}, headers=HX)
    assert response.status_code == 422
    assert "HX-Request" in response.headers["Vary"]
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="request-form">')
    assert "<html" not in fragment and "<h1" not in fragment
    assert 'id="phone-error"' in fragment and 'value="call me"' in fragment
    assert 'value="Li Wei"' in fragment and 'name="csrf_token"' in fragment
    with app.app_context():
        assert Ticket.select().count() == 0
    # the same errors without htmx: the whole page
    whole = client.form(REPAIR, {**GOOD, "phone": "call me"})
    assert whole.status_code == 422 and "<html" in whole.get_data(as_text=True)


def test_a_good_htmx_request_redirects_to_the_answer_page(app):
    client = app.test_client()
    response = client.form(REPAIR, GOOD, headers=HX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/request/done"
    answer = client.get("/request/done").get_data(as_text=True)
    with app.app_context():
        (ticket,) = Ticket.select()
    assert ticket.number in answer


def test_a_filled_honeypot_answers_htmx_the_same_way(app):
    client = app.test_client()
    response = client.form(REPAIR, {**GOOD, "website": "http://spam.example"}, headers=HX)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/request/done"
    with app.app_context():
        assert Ticket.select().count() == 0


def test_the_status_lookup_swaps_its_error_in_place_and_redirects_on_a_match(app):
    client = app.test_client()
    assert client.form(REPAIR, GOOD).status_code == 303
    with app.app_context():
        (ticket,) = Ticket.select()
    page = client.get("/status").get_data(as_text=True)
    assert 'hx-post="/status"' in page and 'hx-target="#status-form"' in page
    wrong = client.form(
        "/status", {"number": ticket.number, "contact": "139 0000 0000"}, headers=HX
    )
    assert wrong.status_code == 422
    fragment = wrong.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="status-form">') and "<html" not in fragment
    assert "We found no request" in fragment and f'value="{ticket.number}"' in fragment
    right = client.form("/status", {"number": ticket.number, "contact": GOOD["phone"]}, headers=HX)
    assert right.status_code == 204 and right.headers["HX-Redirect"] == "/status/result"
    assert ticket.number in client.get("/status/result").get_data(as_text=True)
