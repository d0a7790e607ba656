"""The read-only helpers plugin pages use (server.plugin_api → server.plugin_reads)."""

from __future__ import annotations

import datetime as dt

from server.models import Customer
from server.plugin_api import (
    CustomerInfo,
    TicketInfo,
    customers_with_attribute,
    latest_tickets,
    ticket_creator,
)
from tests.conftest import add_ticket, ensure_user


def test_customers_with_attribute_match_the_value_exactly(app):
    with app.app_context():
        Customer.create(name="B", attributes={"manager": "tech1"})
        Customer.create(name="A", attributes={"manager": "tech1", "other": 1})
        Customer.create(name="C", attributes={"manager": "tech10"})
        Customer.create(name="D", attributes={"manager": "TECH1"})
        Customer.create(name="E", attributes={"note": '"manager": "tech1"'})
        found = customers_with_attribute("manager", "tech1")
        assert [c.name for c in found] == ["A", "B"]
        assert all(isinstance(c, CustomerInfo) for c in found)
        assert [c.name for c in customers_with_attribute("other", 1)] == ["A"]
        assert customers_with_attribute("manager", "nobody") == []


def test_latest_tickets_give_each_customers_newest_of_those_services(app):
    start = dt.datetime(2026, 3, 2, 8, 0)
    with app.app_context():
        one = Customer.create(name="One")
        two = Customer.create(name="Two")
    add_ticket(app, service="consult", customer=one, reported_at=start, now=start)
    newest = add_ticket(
        app, service="consult", customer=one, reported_at=start + dt.timedelta(days=2), now=start
    )
    add_ticket(
        app, service="install", customer=one, reported_at=start + dt.timedelta(days=5), now=start
    )
    with app.app_context():
        found = latest_tickets("sample", ("consult",), [one.id, two.id])
        assert set(found) == {one.id}
        assert isinstance(found[one.id], TicketInfo)
        assert found[one.id].number == newest.number
        assert latest_tickets("other", ("consult",), [one.id]) == {}


def test_ticket_creator_is_who_created_it(app):
    hotline = ensure_user(app, "hotline", "dispatcher")
    ticket = add_ticket(app, actor=hotline)
    with app.app_context():
        creator = ticket_creator(ticket.id)
    assert creator is not None and creator.username == "hotline"
