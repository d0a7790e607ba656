"""The status lookup (no login): number + phone or email, both must match; the two kinds of
failure are indistinguishable; only public timeline entries, no staff names by default."""

from __future__ import annotations

import re

import pytest

from server.catalog import current_registry
from server.db import database
from server.models import Customer, Ticket
from server.tickets import add_comment, assign_ticket, transition_ticket
from tests.conftest import build_app, ensure_user

PLUGINS = ("home_appliances",)
REPAIR = "/request/home_appliances/repair"
PHONE = "138 0013 8000"
EMAIL = "li.wei@example.com"
SECRET_NOTE = "Customer sounded drunk; charge double"


def make_app(tmp_path, **public):
    return build_app(tmp_path, PLUGINS, public={"enabled": True, **public})


def request_ticket(app) -> str:
    """A ticket made through the public form; assigned to a technician with an internal
    comment and moved on, as staff would."""
    response = app.test_client().form(
        REPAIR,
        {
            "name": "Li Wei",
            "phone": PHONE,
            "email": EMAIL,
            "f_repair_location": "on_site",
            "f_appliance_category": "tv",
            "f_fault_description": "No picture",
            "f_fault_kind": "performance",
        },
    )
    assert response.status_code == 303
    tech = ensure_user(app, "wang", "technician")
    with app.app_context():
        tech.display_name = "Wang Technician"
        tech.save()
        staff = ensure_user(app, "desk", "dispatcher")
        ticket = Ticket.get()
        registry = current_registry()
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", staff)
        add_comment(registry, ticket, SECRET_NOTE, staff)
        ticket = transition_ticket(
            registry,
            Ticket.get_by_id(ticket.id),
            ticket.version,
            "in_progress",
            staff,
            note="internal reason xyz",
        )
        return ticket.number


def lookup(client, number: str, contact: str):
    return client.form("/status", {"number": number, "contact": contact})


@pytest.fixture
def world(tmp_path):
    app = make_app(tmp_path)
    return app, request_ticket(app)


@pytest.mark.parametrize(
    "contact", [PHONE, "13800138000", "+86 138-0013-8000", EMAIL, "LI.WEI@example.COM"]
)
def test_the_right_number_and_contact_show_the_status(world, contact):
    app, number = world
    client = app.test_client()
    response = lookup(client, number.lower(), contact)
    assert response.status_code == 303
    assert contact not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert number in page and "In progress" in page
    assert "A member of our staff was assigned to it." in page


@pytest.mark.parametrize(
    ("number_ok", "contact"),
    [(True, "13900000000"), (True, "someone@example.com"), (False, PHONE), (False, "x@y.z")],
)
def test_a_wrong_number_or_contact_is_refused(world, number_ok, contact):
    app, number = world
    client = app.test_client()
    response = lookup(client, number if number_ok else "HA-2020-999999", contact)
    assert response.status_code == 422
    assert "We found no request" in response.get_data(as_text=True)
    assert client.get("/status/result").status_code == 302  # nothing remembered


def test_an_empty_contact_never_matches_a_customer_without_email(tmp_path):
    app = make_app(tmp_path)
    number = request_ticket(app)
    with app.app_context():
        Customer.update(email="").execute()
    assert lookup(app.test_client(), number, "@").status_code == 422


def _normalised(body: str, *values: str) -> str:
    body = re.sub(r'name="csrf_token" value="[^"]*"', "", body)
    body = re.sub(r'id="csrf_token"[^>]*value="[^"]*"', "", body)
    for value in values:
        body = body.replace(value, "VALUE")
    return body


def test_both_failures_give_the_same_answer(world):
    app, number = world
    wrong_contact = lookup(app.test_client(), number, "13900000000")
    wrong_number = lookup(app.test_client(), "HA-2020-999999", "13900000000")
    assert wrong_contact.status_code == wrong_number.status_code == 422
    assert _normalised(wrong_contact.get_data(as_text=True), number) == _normalised(
        wrong_number.get_data(as_text=True), "HA-2020-999999"
    )


class StatementCounter:
    """Counts the SQL statements the database runs (wraps ``execute_sql``)."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        db = database.obj
        original = db.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            self.count += 1
            return original(sql, params, *args, **kwargs)

        monkeypatch.setattr(db, "execute_sql", counting)


def test_both_failures_run_the_same_statements(world, monkeypatch):
    app, number = world
    counter = StatementCounter(monkeypatch)
    seen = []
    for asked in (number, "HA-2020-999999", number, "XX-1"):
        before = counter.count
        assert lookup(app.test_client(), asked, "13900000000").status_code == 422
        seen.append(counter.count - before)
    assert seen[0] == seen[1] == seen[2] == seen[3]
    assert seen[0] > 0  # the counter does see the lookup's query


def test_no_internal_notes_or_staff_names_leak(world):
    app, number = world
    client = app.test_client()
    lookup(client, number, PHONE)
    page = client.get("/status/result").get_data(as_text=True)
    for secret in (SECRET_NOTE, "internal reason xyz", "Wang Technician", "wang", "desk", "Desk"):
        assert secret not in page
    assert "logout" not in page and "/tickets" not in page


def test_staff_names_show_when_configured(tmp_path):
    app = make_app(tmp_path, show_staff_names=True)
    number = request_ticket(app)
    client = app.test_client()
    lookup(client, number, EMAIL)
    page = client.get("/status/result").get_data(as_text=True)
    assert "Wang Technician" in page
    assert SECRET_NOTE not in page


def test_the_result_is_only_shown_to_the_browser_that_looked_up(world):
    app, number = world
    lookup(app.test_client(), number, PHONE)
    assert app.test_client().get("/status/result").status_code == 302


def test_lookups_over_the_limit_get_the_429_page(tmp_path):
    app = build_app(
        tmp_path,
        PLUGINS,
        public={"enabled": True, "lookup_per_address": "3/hour"},
        rate_limits={"enabled": True},
    )
    number = request_ticket(app)
    client = app.test_client()
    statuses = [lookup(client, number, "13900000000").status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    refused = lookup(client, number, PHONE)  # even the right answer now
    assert refused.status_code == 429 and "Retry-After" in refused.headers
