"""Tickets of a plugin that has since been disabled stay readable and movable."""

from __future__ import annotations

import pytest

from server.models import Customer, Ticket
from server.tickets import NewTicket, create_ticket
from tests.conftest import build_app, ensure_user


@pytest.fixture
def orphan(tmp_path):
    """A ticket made under the sample plugin, then an app on the same database without it."""
    first = build_app(tmp_path)
    actor = ensure_user(first, "dispatcher", "dispatcher")
    registry = first.extensions["aftersales"].registry
    with first.app_context():
        customer = Customer.create(name="旧客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "repair"),
            customer=customer,
            title="old",
            attributes={"serial": "OLD0001"},
        )
        number = create_ticket(registry, new, actor, 2026).number
    second = build_app(tmp_path, extra_plugins=[])
    client = second.test_client()
    client.login("dispatcher")
    return second, client, number


def test_its_page_and_the_queue_still_show(orphan):
    _app, client, number = orphan
    assert client.get(f"/tickets/{number}").status_code == 200
    assert number in client.get("/tickets").get_data(as_text=True)


def test_it_can_still_be_moved(orphan):
    app, client, number = orphan
    response = client.form(f"/tickets/{number}/transition", {"to": "resolved", "version": 1})
    assert response.status_code == 303
    with app.app_context():
        assert Ticket.get(Ticket.number == number).status == "resolved"


def test_editing_it_says_why_it_cannot(orphan):
    _app, client, number = orphan
    response = client.get(f"/tickets/{number}/edit")
    assert response.status_code == 409
    assert "not offered by any enabled plugin" in response.get_data(as_text=True)
