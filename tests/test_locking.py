"""Optimistic locking: a stale edit is refused with a clear message; the other change stays."""

from __future__ import annotations

import pytest

from server.models import Customer, Ticket, TicketEvent
from server.tickets import NewTicket, StaleTicket, create_ticket, edit_ticket
from tests.conftest import ensure_user


@pytest.fixture
def ticket(app):
    actor = ensure_user(app, "dispatcher", "dispatcher")
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "repair"),
            customer=customer,
            title="original",
            attributes={"serial": "AB1234"},
        )
        return create_ticket(registry, new, actor, 2026)


def _edit(client, ticket, title, version):
    return client.form(
        f"/tickets/{ticket.number}/edit",
        {
            "title": title,
            "priority": "normal",
            "channel": "phone",
            "version": version,
            "f_serial": "AB1234",
        },
    )


def test_stale_edit_is_refused_and_the_first_change_kept(app, ticket, login_as):
    client = login_as("dispatcher")
    assert _edit(client, ticket, "first change", ticket.version).status_code == 303
    response = _edit(client, ticket, "second change", ticket.version)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "was changed by" in page and "your change was not saved" in page
    assert 'value="first change"' in page  # the form now shows the current values
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        assert (current.title, current.version) == ("first change", ticket.version + 1)
        assert TicketEvent.select().where(TicketEvent.kind == "field").count() == 1


def test_stale_edit_names_who_changed_it(app, ticket, login_as):
    other = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        edit_ticket(
            app.extensions["aftersales"].registry,
            ticket,
            ticket.version,
            {"title": "by supervisor"},
            {},
            other,
        )
    response = _edit(login_as("dispatcher"), ticket, "mine", ticket.version)
    assert "changed by Supervisor" in response.get_data(as_text=True)


def test_stale_transition_is_refused(app, ticket, login_as):
    client = login_as("dispatcher")
    client.form(f"/tickets/{ticket.number}/transition", {"to": "resolved", "version": 1})
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "cancelled", "version": 1}
    )
    assert response.status_code == 409
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_service_function_raises_stale_ticket_with_the_current_row(app, ticket):
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        edit_ticket(app.extensions["aftersales"].registry, ticket, 1, {"title": "a"}, {}, actor)
        with pytest.raises(StaleTicket) as caught:
            edit_ticket(app.extensions["aftersales"].registry, ticket, 1, {"title": "b"}, {}, actor)
        assert caught.value.current.title == "a"


def test_edit_without_changes_records_nothing(app, ticket, login_as):
    client = login_as("dispatcher")
    assert _edit(client, ticket, "original", ticket.version).status_code == 303
    with app.app_context():
        assert not TicketEvent.select().where(TicketEvent.kind == "field").exists()
